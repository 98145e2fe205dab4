import Datasets
import Foundation
import HDF5
import Models
import TestSupport
import Testing

@testable import Engine

/// A short real training run: ResNet-8 on 6,000 Fashion-MNIST training images for three
/// epochs (282 steps) must reach at least 72 % test accuracy. Measured: 79.1 % (PyTorch
/// with the same recipe lands in the same 71–80 % band; chance is 10 %).
@Suite struct TrainingTests {
  let scratch = ScratchFolder()

  @Test func resnet8LearnsFashionMNIST() throws {
    let data = scratch.file("fmnist.h5")
    try DatasetImporter.run(
      .fashionMNIST, source: "/usr/share/datasets/fashion-mnist",
      options: ImportOptions(output: data, validationFraction: 0.1, seed: 0))
    let configuration = TrainingConfiguration(
      model: "resnet8", data: data, epochs: 3, batchSize: 64, learningRate: 0.05, seed: 2, augment: false,
      trainLimit: 6000)
    let checkpoint = scratch.file("r8.h5")
    let summary = try TrainingRun.run(configuration, checkpoint: checkpoint, resume: false)
    #expect(summary.testAccuracy >= 0.72, "test accuracy \(summary.testAccuracy)")
    #expect(summary.validationSplit == "val" && summary.history.count == 3)
    #expect(summary.history.last?.trainLoss ?? 9 < summary.history.first?.trainLoss ?? 0)

    // The checkpoint holds the best weights under their PyTorch names and shapes.
    let file = try HDF5File.open(checkpoint)
    #expect(try file.dataset("parameters/stem.weight").shape == [16, 1, 3, 3])
    #expect(try file.dataset("buffers/stem.bn.running_var").shape == [16])
    #expect(try file.dataset("last/optimizer/velocity/classifier.weight").shape == [10, 64])
    #expect(try file.attribute("best_epoch") == .int(Int64(summary.bestEpoch)))

    // Loading it into a fresh network reproduces the reported test accuracy.
    let (architecture, _) = try Checkpoint.inspect(checkpoint)
    let network = Network(architecture, seed: 99)
    try Checkpoint.load(checkpoint, into: network)
    let trainer = Trainer(network: network, optimizer: SGD(parameters: network.parameters, learningRate: 0))
    let test = try BatchLoader(path: data, split: "test", options: LoaderOptions(batchSize: 256, shuffle: false))
    #expect(abs(try trainer.evaluate(test).accuracy - summary.testAccuracy) < 1e-9)
  }

  /// Non-finite logits are wrong answers: an all-NaN network scores 0 %, not 100 %.
  @Test func nonFiniteLogitsAreNeverCorrect() {
    let logits: [Float] = [.nan, .nan, .nan, 0.1, 2, 0.3, .infinity, 1, 0, 5, 1, 0]
    let result = CrossEntropy().evaluate(logits: logits, labels: [0, 1, 0, 0], classes: 3)
    #expect(result.top1Correct == 2 && result.top5Correct == 2)
    let allNaN = CrossEntropy().evaluate(logits: [Float](repeating: .nan, count: 6), labels: [0, 1], classes: 3)
    #expect(allNaN.top1Correct == 0 && allNaN.top5Correct == 0)
  }

  @Test func mismatchedCheckpointsAndNaNAreReported() throws {
    let data = scratch.file("tiny.h5")
    try QuadrantData.write(data, train: 96, validation: 24, test: 24)
    let checkpoint = scratch.file("c.h5")
    let configuration = TrainingConfiguration(model: "resnet8", data: data, epochs: 1, batchSize: 32, seed: 0)
    _ = try TrainingRun.run(configuration, checkpoint: checkpoint, resume: false)
    let other = Network(try ModelZoo.make("resnet20", resolution: 16, channels: 1, classes: 4), seed: 0)
    let mismatch = try #require(throws: EngineError.self) { try Checkpoint.load(checkpoint, into: other) }
    guard case .checkpoint(checkpoint, .missingTensor) = mismatch else {
      Issue.record("\(mismatch)")
      return
    }
    #expect(mismatch.isBadInput)
    #expect(throws: EngineError.checkpoint(file: checkpoint, problem: .exists)) {
      try TrainingRun.run(configuration, checkpoint: checkpoint, resume: false)
    }
    var exploding = configuration
    exploding.learningRate = 1e30
    let nan = try #require(throws: EngineError.self) {
      try TrainingRun.run(exploding, checkpoint: scratch.file("nan.h5"), resume: false)
    }
    guard case .diverged(_, epoch: 1, _) = nan else {
      Issue.record("\(nan)")
      return
    }
    #expect(!nan.isBadInput)
  }
}
