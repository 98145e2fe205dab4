import Datasets
import Foundation

/// Trains a `Network` on batches from the dataset loader and evaluates it.
public final class Trainer: @unchecked Sendable {
  public let network: Network
  public let optimizer: SGD
  public let loss: CrossEntropy

  public init(network: Network, optimizer: SGD, loss: CrossEntropy = CrossEntropy()) {
    self.network = network
    self.optimizer = optimizer
    self.loss = loss
  }

  /// Progress within an epoch: step, steps, running loss and accuracy, images/s.
  public typealias StepProgress = (_ step: Int, _ steps: Int, _ loss: Double, _ accuracy: Double, _ rate: Double) ->
    Void

  /// Mean loss and top-1 accuracy over a pass.
  public struct PassResult: Sendable {
    public let loss: Double
    public let accuracy: Double
    public let top5: Double
    public let images: Int
    public let seconds: Double
  }

  /// One training epoch. Throws if the loss becomes NaN or infinite, naming the step.
  public func trainEpoch(_ loader: BatchLoader, epoch: Int, progress: StepProgress = { _, _, _, _, _ in }) throws
    -> PassResult
  {
    let stream = loader.batches(epoch: epoch)
    let classes = network.architecture.classes
    var totalLoss = 0.0
    var correct = 0
    var seen = 0
    var step = 0
    let start = Date()
    while let batch = try stream.nextBatch() {
      let input = Tensor(dims: [batch.count, batch.channels, batch.height, batch.width], values: batch.images)
      let logits = try network.forward(input, training: true)
      let result = loss.evaluate(logits: logits.values(), labels: batch.labels, classes: classes)
      guard result.loss.isFinite else {
        stream.cancel()
        throw EngineError(
          "the loss became \(result.loss) at epoch \(epoch + 1), step \(step + 1); lower the learning rate")
      }
      try network.backward(Tensor(dims: [batch.count, classes], values: result.gradient))
      optimizer.step()
      totalLoss += Double(result.loss) * Double(batch.count)
      correct += result.top1Correct
      seen += batch.count
      step += 1
      let elapsed = Date().timeIntervalSince(start)
      progress(
        step, loader.batchesPerEpoch, totalLoss / Double(seen), Double(correct) / Double(seen),
        Double(seen) / max(elapsed, 1e-9))
    }
    return PassResult(
      loss: totalLoss / Double(max(seen, 1)), accuracy: Double(correct) / Double(max(seen, 1)), top5: 0, images: seen,
      seconds: Date().timeIntervalSince(start))
  }

  /// Evaluates (batch-norm running statistics, no augmentation expected of the loader).
  public func evaluate(_ loader: BatchLoader) throws -> PassResult {
    let stream = loader.batches(epoch: 0)
    let classes = network.architecture.classes
    var totalLoss = 0.0
    var top1 = 0
    var top5 = 0
    var seen = 0
    let start = Date()
    while let batch = try stream.nextBatch() {
      let input = Tensor(dims: [batch.count, batch.channels, batch.height, batch.width], values: batch.images)
      let logits = try network.forward(input, training: false)
      let result = loss.evaluate(logits: logits.values(), labels: batch.labels, classes: classes)
      totalLoss += Double(result.loss) * Double(batch.count)
      top1 += result.top1Correct
      top5 += result.top5Correct
      seen += batch.count
    }
    return PassResult(
      loss: totalLoss / Double(max(seen, 1)), accuracy: Double(top1) / Double(max(seen, 1)),
      top5: Double(top5) / Double(max(seen, 1)), images: seen, seconds: Date().timeIntervalSince(start))
  }
}
