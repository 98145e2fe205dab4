import Foundation
import HDF5
import Models
import Testing

@testable import Engine

/// Every zoo model against PyTorch 2.13 on the same weights and batch (fixtures made by
/// scripts/fixtures/make_pytorch_fixtures.py and committed, so CI needs no PyTorch).
/// Tolerances: logits within 1e-3 relative to the largest logit; the loss within 1e-4
/// relative; each parameter gradient within 2e-3 of its tensor's largest entry (oneDNN
/// picks Winograd and blocked accumulation orders, so float32 sums differ in the last bits).
@Suite struct PyTorchParityTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    .path

  private func close(_ a: [Float], _ b: [Float], relativeTo scale: Float, tolerance: Float) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance * max(scale, 1e-6) }
  }

  @Test(arguments: ["resnet8", "resnet20", "mobilenetv1"])
  func forwardAndGradientsMatchPyTorch(model: String) throws {
    let file = try HDF5File.open("\(Self.folder)/\(model).h5")
    let text = try #require(try file.attribute("architecture").stringValue)
    let architecture = try JSONDecoder.snakeCase.decode(Architecture.self, from: Data(text.utf8))
    let network = Network(architecture, seed: 0)
    var values: [String: [Float]] = [:]
    for parameter in network.parameters {
      values[parameter.name] = try file.read("parameters/\(parameter.name)", as: Float.self)
    }
    for (name, _) in network.buffers { values[name] = try file.read("buffers/\(name)", as: Float.self) }
    try network.restore(values)

    let inputDataset = try file.dataset("input")
    let input = Tensor(dims: inputDataset.shape, values: try inputDataset.read(as: Float.self))
    let labels = try file.read("labels", as: Int64.self).map { Int32($0) }
    let logits = try network.forward(input, training: true).values()
    let expectedLogits = try file.read("logits_train", as: Float.self)
    let scale = expectedLogits.map(abs).max() ?? 1
    #expect(close(logits, expectedLogits, relativeTo: scale, tolerance: 1e-3), "\(model) training logits")

    let result = CrossEntropy().evaluate(logits: logits, labels: labels, classes: architecture.classes)
    let expectedLoss = try #require(try file.attribute("loss").doubleValue)
    #expect(abs(Double(result.loss) - expectedLoss) <= 1e-4 * abs(expectedLoss))
    try network.backward(Tensor(dims: [labels.count, architecture.classes], values: result.gradient))
    for parameter in network.parameters {
      let expected = try file.read("gradients/\(parameter.name)", as: Float.self)
      let actual = Array(parameter.gradient.buffer.prefix(parameter.gradient.elementCount))
      let largest = expected.map(abs).max() ?? 0
      #expect(close(actual, expected, relativeTo: largest, tolerance: 2e-3), "\(model) gradient of \(parameter.name)")
    }

    // Evaluation mode uses the stored running statistics (training updated ours; restore).
    try network.restore(values)
    let evaluation = try network.forward(input, training: false).values()
    let expectedEvaluation = try file.read("logits_eval", as: Float.self)
    #expect(close(evaluation, expectedEvaluation, relativeTo: expectedEvaluation.map(abs).max() ?? 1, tolerance: 1e-3))
  }

  /// The fixture script's hash-based values in [−scale, scale): exact integer arithmetic,
  /// so both sides produce the same floats (see `formula_values` in the script).
  static func formula(_ name: String, count: Int, scale: Double) -> [Float] {
    let seed = UInt64(name.utf8.reduce(0) { $0 + Int($1) })
    return (0..<count).map { index in
      var h = (UInt64(index + 1) &* 2_654_435_761 &+ 40503 &* seed) & 0xFFFF_FFFF
      h ^= h >> 16
      h = (h &* 2_246_822_519) & 0xFFFF_FFFF
      h ^= h >> 13
      return Float(scale * (2 * Double(h) / 4_294_967_296 - 1))
    }
  }

  /// ResNet-18 (both stems): weights from the shared hash, gradients compared through
  /// per-tensor summaries: L2 norm and sum within 2e-3 of the tensor's norm, the first 32
  /// entries within 1e-2 of it (through 17 batch norms, down to 2×2 maps with the ImageNet
  /// stem, float32 summation order moves single entries by up to ~1e-3 of the norm).
  @Test(arguments: ["resnet18", "resnet18-imagenet"])
  func resnet18MatchesPyTorchThroughSummaries(model: String) throws {
    let file = try HDF5File.open("\(Self.folder)/\(model).h5")
    let text = try #require(try file.attribute("architecture").stringValue)
    let architecture = try JSONDecoder.snakeCase.decode(Architecture.self, from: Data(text.utf8))
    let network = Network(architecture, seed: 0)
    var values: [String: [Float]] = [:]
    for layer in architecture.layers {
      switch layer.operation {
      case .convolution(let conv):
        let fanIn = layer.inputShape.channels / conv.groups * conv.kernel * conv.kernel
        values["\(layer.name).weight"] = Self.formula(
          "\(layer.name).weight", count: conv.outChannels * fanIn, scale: (6 / Double(fanIn)).squareRoot())
      case .batchNorm:
        let c = layer.outputShape.channels
        values["\(layer.name).weight"] = Self.formula("\(layer.name).weight", count: c, scale: 0.2).map { 1 + $0 }
        values["\(layer.name).bias"] = Self.formula("\(layer.name).bias", count: c, scale: 0.1)
        values["\(layer.name).running_mean"] = Self.formula("\(layer.name).running_mean", count: c, scale: 0.1)
        values["\(layer.name).running_var"] = Self.formula("\(layer.name).running_var", count: c, scale: 0.2).map {
          1.2 + $0
        }
      case .linear(let out, _):
        let fanIn = layer.inputShape.elementCount
        values["\(layer.name).weight"] = Self.formula(
          "\(layer.name).weight", count: out * fanIn, scale: Foundation.pow(Double(fanIn), -0.5))
        values["\(layer.name).bias"] = Self.formula("\(layer.name).bias", count: out, scale: 0.1)
      default: break
      }
    }
    try network.restore(values)
    let labels = try file.read("labels", as: Int64.self).map { Int32($0) }
    let shape = architecture.inputShape
    let input = Tensor(
      dims: [labels.count, shape.channels, shape.height, shape.width],
      values: Self.formula("input", count: labels.count * shape.elementCount, scale: 1))
    let logits = try network.forward(input, training: true).values()
    let expectedLogits = try file.read("logits_train", as: Float.self)
    #expect(close(logits, expectedLogits, relativeTo: expectedLogits.map(abs).max() ?? 1, tolerance: 1e-3))
    let result = CrossEntropy().evaluate(logits: logits, labels: labels, classes: architecture.classes)
    let expectedLoss = try #require(try file.attribute("loss").doubleValue)
    #expect(abs(Double(result.loss) - expectedLoss) <= 1e-4 * abs(expectedLoss))
    try network.backward(Tensor(dims: [labels.count, architecture.classes], values: result.gradient))
    for parameter in network.parameters {
      let summary = try file.read("gradient_summaries/\(parameter.name)", as: Double.self)
      let gradient = Array(parameter.gradient.buffer.prefix(parameter.gradient.elementCount)).map(Double.init)
      let norm = gradient.map { $0 * $0 }.reduce(0, +).squareRoot()
      let tolerance = 2e-3 * summary[1] + 1e-9
      #expect(abs(norm - summary[1]) <= tolerance, "\(model) \(parameter.name) norm \(norm) vs \(summary[1])")
      #expect(abs(gradient.reduce(0, +) - summary[0]) <= tolerance * Double(gradient.count).squareRoot())
      #expect(
        zip(gradient.prefix(32), summary.dropFirst(2)).allSatisfy { abs($0 - $1) <= 5 * tolerance },
        "\(model) \(parameter.name): \(Array(gradient.prefix(4))) vs \(Array(summary.dropFirst(2).prefix(4)))")
    }
    try network.restore(values)
    let evaluation = try network.forward(input, training: false).values()
    let expectedEvaluation = try file.read("logits_eval", as: Float.self)
    #expect(close(evaluation, expectedEvaluation, relativeTo: expectedEvaluation.map(abs).max() ?? 1, tolerance: 1e-3))
  }
}
