import Foundation
import Models
import Support
import TestSupport
import Testing

@testable import Engine

/// The whole backward pass (convolution incl. strided and depthwise, batch norm,
/// ReLU/ReLU6, pooling, residual add, flatten, linear, cross-entropy) against central
/// finite differences of the loss, h = 2e-3 in float32. An entry agrees when within 3 %
/// (+ 2e-3 absolute). ReLU and max-pool kinks make a few finite differences meaningless,
/// so every parameter tensor must agree on ≥ 75 % of its checked entries and the whole
/// network on ≥ 95 %; a wrong backward formula fails a whole tensor.
@Suite struct GradientTests {
  static func tinyModel() -> Architecture {
    var b = ArchitectureBuilder(name: "tiny", input: FeatureShape(channels: 2, height: 6, width: 6), classes: 3)
    let stem = b.convBNReLU("stem", Convolution(outChannels: 4, kernel: 3))
    b.convBNReLU("dw", Convolution(outChannels: 4, kernel: 3, groups: 4), relu6: true)
    let main = b.convBNReLU("conv", Convolution(outChannels: 4, kernel: 3, bias: true), activation: false)
    b.add("add", .add, from: [main, stem])
    b.add("relu", .relu)
    b.add("pool", .maxPool(kernel: 2, stride: 2, padding: 0))
    b.convBNReLU("down", Convolution(outChannels: 5, kernel: 3, stride: 2))
    b.add("gap", .globalAveragePool)
    b.add("flatten", .flatten)
    b.add("classifier", .linear(outFeatures: 3, bias: true))
    return b.build()
  }

  private func loss(_ network: Network, _ input: Tensor, _ labels: [Int32]) throws -> (Float, CrossEntropy.Result) {
    let logits = try network.forward(input, training: true)
    let result = CrossEntropy().evaluate(logits: logits.values(), labels: labels, classes: 3)
    return (result.loss * Float(labels.count), result)
  }

  @Test func backwardMatchesFiniteDifferences() throws {
    let network = Network(Self.tinyModel(), seed: 3)
    var generator = SplitMix64(seed: 9)
    let input = Tensor(dims: [4, 2, 6, 6], values: (0..<(4 * 72)).map { _ in Float(generator.nextUnit() * 2 - 1) })
    let labels: [Int32] = [0, 2, 1, 2]
    let (_, result) = try loss(network, input, labels)
    try network.backward(Tensor(dims: [4, 3], values: result.gradient.map { $0 * 4 }))
    let analytic = network.parameters.map { Array($0.gradient.buffer.prefix($0.gradient.elementCount)) }
    var checked = 0
    var agreed = 0
    for (index, parameter) in network.parameters.enumerated() {
      let count = parameter.value.elementCount
      var tensorChecked = 0
      var tensorAgreed = 0
      for element in stride(from: 0, to: count, by: max(1, count / 5)) {
        let numeric = try centralDifference(parameter.value.buffer, at: element, step: 2e-3) {
          Double(try loss(network, input, labels).0)
        }
        let exact = Double(analytic[index][element])
        guard abs(numeric) > 1e-3 || abs(exact) > 1e-3 else { continue }
        tensorChecked += 1
        if derivativesAgree(numeric, exact, relative: 3e-2, absolute: 2e-3) { tensorAgreed += 1 }
      }
      #expect(tensorAgreed * 4 >= tensorChecked * 3, "\(parameter.name): \(tensorAgreed) of \(tensorChecked) agree")
      checked += tensorChecked
      agreed += tensorAgreed
    }
    #expect(agreed * 100 >= checked * 95, "\(agreed) of \(checked) entries agree")
    #expect(checked > 20)
  }

  @Test func crossEntropyWithSmoothing() {
    let logits: [Float] = [2, 0, -1, 0.5, 0.5, 0.5]
    let plain = CrossEntropy().evaluate(logits: logits, labels: [0, 2], classes: 3)
    let expected0 = -log(exp(2.0) / (exp(2.0) + 1 + exp(-1.0)))
    let expected1 = -log(1.0 / 3)
    #expect(abs(Double(plain.loss) - (expected0 + expected1) / 2) < 1e-5)
    #expect(plain.top1Correct == 1)
    let smoothed = CrossEntropy(labelSmoothing: 0.1).evaluate(logits: logits, labels: [0, 2], classes: 3)
    #expect(smoothed.loss > plain.loss)
    #expect(abs(smoothed.gradient.reduce(0, +)) < 1e-6)
  }
}
