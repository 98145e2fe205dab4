import Foundation
import Models
import Support
import TestSupport
import Testing

@testable import Engine

/// The shared-weights supernet layer: channels mixed over an 8-bit and a ternary format.
@Suite struct MixedConvolutionTests {
  static func model(formats: [WeightQuantization?]) -> Architecture {
    var b = ArchitectureBuilder(name: "mixed", input: FeatureShape(channels: 2, height: 5, width: 5), classes: 3)
    b.add("conv", .mixedConvolution(Convolution(outChannels: 4, kernel: 3), formats: formats))
    b.add("conv.bn", .batchNorm)
    b.add("conv.relu", .relu)
    b.add("gap", .globalAveragePool)
    b.add("flatten", .flatten)
    b.add("classifier", .linear(outFeatures: 3, bias: true))
    return b.build()
  }

  /// Loss = task loss (summed) + Σ_a g_a · soft count_a, with fixed g (what λ·cost adds).
  private func objective(_ network: Network, _ input: Tensor, _ labels: [Int32], _ g: [Double]) throws -> Double {
    let logits = try network.forward(input, training: true).values()
    let task = Double(CrossEntropy().evaluate(logits: logits, labels: labels, classes: 3).loss) * Double(labels.count)
    let counts = network.mixedLayers[0].softCounts
    return task + zip(g, counts).map(*).reduce(0, +)
  }

  @Test func logitAndScaleGradientsMatchFiniteDifferences() throws {
    let network = Network(Self.model(formats: [.int8PowerOfTwo, .ternary]), seed: 5)
    let layer = try #require(network.mixedLayers.first)
    layer.temperature = 0.7
    // Spread the logits so the softmax is not uniform.
    for index in 0..<layer.logits.value.elementCount { layer.logits.value.buffer[index] = Float(index % 3) * 0.4 - 0.3 }
    var generator = SplitMix64(seed: 6)
    let input = Tensor(dims: [3, 2, 5, 5], values: (0..<150).map { _ in Float(generator.nextUnit() * 2 - 1) })
    let labels: [Int32] = [0, 1, 2]
    let g = [0.8, -0.3]
    let logits = try network.forward(input, training: true).values()
    let result = CrossEntropy().evaluate(logits: logits, labels: labels, classes: 3)
    layer.countGradient = g
    try network.backward(Tensor(dims: [3, 3], values: result.gradient.map { $0 * 3 }))
    let scale = try #require(network.parameters.first { $0.name == "conv.ternary_scale" })
    for parameter in [layer.logits, scale] {
      let analytic = Array(parameter.gradient.buffer.prefix(parameter.gradient.elementCount))
      for index in 0..<parameter.value.elementCount {
        let difference = try centralDifference(parameter.value.buffer, at: index, step: 1e-3) {
          try objective(network, input, labels, g)
        }
        // The ternary scale's gradient is scaled by 1/(weights per channel): 2·3·3 here.
        let numeric = difference / (parameter === scale ? 18 : 1)
        #expect(
          derivativesAgree(numeric, Double(analytic[index]), relative: 2e-2, absolute: 2e-3),
          "\(parameter.name)[\(index)]: numeric \(numeric), backward \(analytic[index])")
      }
    }
  }

  @Test func softCountsAssignmentAndFrozenMapping() throws {
    let network = Network(Self.model(formats: [.int8PowerOfTwo, .ternary]), seed: 5)
    let layer = try #require(network.mixedLayers.first)
    #expect(layer.alternatives == 2 && layer.outChannels == 4)
    #expect(abs(layer.softCounts.reduce(0, +) - 4) < 1e-5)
    for c in 0..<4 {
      layer.logits.value.buffer[c] = c < 3 ? 5 : -5  // alternative 0 on channels 0–2
      layer.logits.value.buffer[4 + c] = 0
    }
    #expect(layer.assignment == [0, 0, 0, 1])
    layer.temperature = 0.01
    #expect(abs(layer.softCounts[0] - 3) < 1e-6)
    // A frozen all-8-bit mapping computes exactly what a plain 8-bit convolution does.
    layer.fixedAssignment = [0, 0, 0, 0]
    var generator = SplitMix64(seed: 1)
    let input = Tensor(dims: [2, 2, 5, 5], values: (0..<100).map { _ in Float(generator.nextUnit()) })
    let mixedOutput = try network.forward(input, training: false).values()
    var plain = ArchitectureBuilder(name: "plain", input: FeatureShape(channels: 2, height: 5, width: 5), classes: 3)
    plain.add("conv", .convolution(Convolution(outChannels: 4, kernel: 3, weightQuantization: .int8PowerOfTwo)))
    plain.add("conv.bn", .batchNorm)
    plain.add("conv.relu", .relu)
    plain.add("gap", .globalAveragePool)
    plain.add("flatten", .flatten)
    plain.add("classifier", .linear(outFeatures: 3, bias: true))
    let reference = Network(plain.build(), seed: 0)
    try reference.restore(network.snapshot())
    let plainOutput = try reference.forward(input, training: false).values()
    #expect(zip(mixedOutput, plainOutput).allSatisfy { abs($0 - $1) < 1e-5 })
    #expect(network.logitParameters.count == 1)
    #expect(!network.weightParameters.contains { $0 === layer.logits })
  }
}
