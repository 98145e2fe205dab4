import Foundation
import Models
import Support

/// Times training steps (forward + backward + SGD) and forward passes of a zoo model on
/// a fixed random batch, for `odimo bench train`.
package enum TrainingBenchmark {
  package struct Result: Sendable {
    package let trainImagesPerSecond: Double
    package let forwardImagesPerSecond: Double
    /// Per layer: mean milliseconds per step in forward and backward.
    package let layers: [(name: String, forwardMilliseconds: Double, backwardMilliseconds: Double)]
  }

  package static func run(
    architecture: Architecture, batch: Int, steps: Int, profileLayers: Bool, precision: Precision = .fp32
  ) throws -> Result {
    let network = Network(architecture, seed: 0, precision: precision)
    let optimizer = SGD(parameters: network.parameters, learningRate: 0.01, momentum: 0.9, weightDecay: 5e-4)
    var generator = SplitMix64(seed: 1)
    let shape = architecture.inputShape
    let input = Tensor(
      dims: [batch, shape.channels, shape.height, shape.width],
      values: (0..<(batch * shape.elementCount)).map { _ in Float(generator.nextUnit() * 2 - 1) })
    let labels = (0..<batch).map { Int32($0 % architecture.classes) }
    let loss = CrossEntropy()
    func step() throws {
      let logits = try network.forward(input, training: true)
      let result = loss.evaluate(logits: logits.values(), labels: labels, classes: architecture.classes)
      try network.backward(Tensor(dims: [batch, architecture.classes], values: result.gradient))
      optimizer.step()
    }
    for _ in 0..<2 { try step() }
    var start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps { try step() }
    let train = Double(steps * batch) / (Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    _ = try network.forward(input, training: false)
    start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps { _ = try network.forward(input, training: false) }
    let forward = Double(steps * batch) / (Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9)
    var layers: [(String, Double, Double)] = []
    if profileLayers {
      network.profile = [:]
      for _ in 0..<steps { try step() }
      let profile = network.profile ?? [:]
      layers = architecture.layers.compactMap { layer in
        profile[layer.name].map { (layer.name, $0.forward * 1e3 / Double(steps), $0.backward * 1e3 / Double(steps)) }
      }
    }
    return Result(trainImagesPerSecond: train, forwardImagesPerSecond: forward, layers: layers)
  }
}
