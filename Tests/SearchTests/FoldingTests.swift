import Datasets
import Engine
import Foundation
import Hardware
import Models
import Support
import TestSupport
import Testing

@testable import Search

@Suite struct FoldingTests {
  /// The folded supernet with a float-like (int8, frozen all-digital) mapping computes
  /// what the float model with batch norm computes in evaluation mode.
  @Test func foldedSupernetMatchesTheFloatModel() throws {
    let model = try ModelZoo.make("resnet8", resolution: 16, channels: 1, classes: 4)
    let supernet = try Supernet(model: model, soc: .diana, foldBatchNorm: true)
    let float = Network(model, seed: 3)
    // Non-trivial batch-norm statistics and affine parameters.
    var snapshot = float.snapshot()
    var generator = SplitMix64(seed: 9)
    for (name, values) in snapshot.sorted(by: { $0.key < $1.key }) where name.contains(".bn.") {
      snapshot[name] = values.map { _ in
        let u = Float(generator.next() % 1000) / 1000
        return name.hasSuffix("running_var") || name.hasSuffix(".weight") ? 0.5 + u : u - 0.5
      }
    }
    try float.restore(snapshot)
    let network = Network(supernet.architecture, seed: 0)
    let folded = try supernet.weights(fromFloat: float.snapshot())
    try network.restore(network.snapshot().merging(folded) { _, new in new })
    network.refitQuantizerScales()
    for layer in network.mixedLayers { layer.fixedAssignment = [Int](repeating: 0, count: layer.outChannels) }
    let input = Tensor(dims: [2, 1, 16, 16], values: (0..<512).map { Float(($0 * 37) % 101) / 101 })
    // With clips calibrated on the input, 7-bit activations and int8 weights stay within
    // a few percent of the float model's logits.
    try network.calibrateActivationClips(on: input, fraction: 1)
    let expected = try float.forward(input, training: false).values()
    let actual = try network.forward(input, training: false).values()
    let scale = expected.map(abs).max() ?? 1
    for (a, b) in zip(expected, actual) { #expect(abs(a - b) <= 0.05 * scale, "\(expected) vs \(actual)") }
  }

  /// A hand-made baseline's PACT clips are calibrated under its own mapping, not under the
  /// search's starting split: entering its fine-tune from a float warmup leaves the clips a
  /// calibration of the fixed network gives.
  @Test func aBaselineCalibratesItsClipsUnderItsOwnMapping() throws {
    let scratch = ScratchFolder()
    let data = scratch.file("quadrants.h5")
    try QuadrantData.write(data)
    let configuration = SearchConfiguration(
      soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: 0, preset: SearchRunTests.tiny)
    let model = try ModelZoo.make("resnet8", resolution: 16, channels: 1, classes: 4)
    let warmup = Network(model, seed: 3).snapshot()
    let runner = try SearchRunner(
      configuration, path: scratch.file("all-analog.h5"), baseline: .allOn(unit: "analog"), warmStart: warmup)
    try runner.enter(.fineTune)
    let network = runner.setup.network
    func clips() -> [String: [Float]] { network.snapshot().filter { $0.key.hasSuffix("relu.alpha") } }
    let entered = clips()
    #expect(entered.count >= 3)
    try runner.setup.trainer.calibrateActivationClips(on: runner.setup.trainLoader)
    #expect(clips() == entered)
  }
}
