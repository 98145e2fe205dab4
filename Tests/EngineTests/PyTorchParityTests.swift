import Foundation
import HDF5
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
}
