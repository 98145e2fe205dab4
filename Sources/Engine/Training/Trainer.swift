import Datasets
import Foundation

/// Trains a `Network` on batches from the dataset loader and evaluates it.
package final class Trainer {
  package let network: Network
  package let optimizer: SGD
  package let loss: CrossEntropy

  package init(network: Network, optimizer: SGD, loss: CrossEntropy = CrossEntropy()) {
    self.network = network
    self.optimizer = optimizer
    self.loss = loss
  }

  /// Progress within an epoch: step, steps, running loss and accuracy, images/s.
  package typealias StepProgress = (_ step: Int, _ steps: Int, _ loss: Double, _ accuracy: Double, _ rate: Double) ->
    Void

  /// Mean loss and top-1 accuracy over a pass.
  package struct PassResult: Sendable {
    package let loss: Double
    package let accuracy: Double
    package let top5: Double
    package let images: Int
    package let seconds: Double

    package init(loss: Double, accuracy: Double, top5: Double, images: Int, seconds: Double) {
      self.loss = loss
      self.accuracy = accuracy
      self.top5 = top5
      self.images = images
      self.seconds = seconds
    }
  }

  /// Running totals of a pass over a split.
  private struct Tally {
    let start = Date()
    var loss = 0.0
    var top1 = 0
    var top5 = 0
    var images = 0

    mutating func add(_ result: CrossEntropy.Result, count: Int) {
      loss += Double(result.loss) * Double(count)
      top1 += result.top1Correct
      top5 += result.top5Correct
      images += count
    }

    var result: PassResult {
      let seen = Double(max(images, 1))
      return PassResult(
        loss: loss / seen, accuracy: Double(top1) / seen, top5: Double(top5) / seen, images: images,
        seconds: Date().timeIntervalSince(start))
    }
  }

  /// Calibrates the network's PACT clips on the first batch of `loader`'s epoch 0 (see
  /// `Network.calibrateActivationClips`).
  package func calibrateActivationClips(on loader: BatchLoader) throws {
    let stream = loader.batches(epoch: 0)
    defer { stream.cancel() }
    guard let batch = try stream.nextBatch() else { return }
    let input = Tensor(dims: [batch.count, batch.channels, batch.height, batch.width], values: batch.images)
    try network.calibrateActivationClips(on: input)
  }

  /// Forward pass and loss of one batch.
  private func evaluateBatch(_ batch: Batch, training: Bool) throws -> CrossEntropy.Result {
    let input = Tensor(dims: [batch.count, batch.channels, batch.height, batch.width], values: batch.images)
    let logits = try network.forward(input, training: training)
    return loss.evaluate(logits: logits.values(), labels: batch.labels, classes: network.architecture.classes)
  }

  /// One training epoch. Throws if the loss becomes NaN or infinite, naming the step.
  /// Extra work around each training step (the search's splits, cost and logits).
  package struct StepHooks {
    /// Before the forward pass.
    package var beforeForward: () throws -> Void = {}
    /// After the loss, before the backward pass.
    package var beforeBackward: () throws -> Void = {}
    /// After the backward pass, before the optimizer step.
    package var afterBackward: () throws -> Void = {}

    package init(
      beforeForward: @escaping () throws -> Void = {}, beforeBackward: @escaping () throws -> Void = {},
      afterBackward: @escaping () throws -> Void = {}
    ) {
      self.beforeForward = beforeForward
      self.beforeBackward = beforeBackward
      self.afterBackward = afterBackward
    }
  }

  package func trainEpoch(
    _ loader: BatchLoader, epoch: Int, hooks: StepHooks = StepHooks(), progress: StepProgress = { _, _, _, _, _ in }
  ) throws -> PassResult {
    let stream = loader.batches(epoch: epoch)
    var tally = Tally()
    var step = 0
    while let batch = try stream.nextBatch() {
      try hooks.beforeForward()
      let result = try evaluateBatch(batch, training: true)
      guard result.loss.isFinite else {
        stream.cancel()
        throw EngineError.diverged(loss: result.loss, epoch: epoch + 1, step: step + 1)
      }
      try hooks.beforeBackward()
      try network.backward(Tensor(dims: [batch.count, network.architecture.classes], values: result.gradient))
      try hooks.afterBackward()
      optimizer.step()
      tally.add(result, count: batch.count)
      step += 1
      let current = tally.result
      progress(
        step, loader.batchesPerEpoch, current.loss, current.accuracy,
        Double(current.images) / max(current.seconds, 1e-9))
    }
    return tally.result
  }

  /// Evaluates (batch-norm running statistics, no augmentation expected of the loader).
  package func evaluate(_ loader: BatchLoader) throws -> PassResult {
    let stream = loader.batches(epoch: 0)
    var tally = Tally()
    while let batch = try stream.nextBatch() {
      tally.add(try evaluateBatch(batch, training: false), count: batch.count)
    }
    return tally.result
  }
}
