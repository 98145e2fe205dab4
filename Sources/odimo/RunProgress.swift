import Console
import Engine
import Foundation
import Models
import Search

/// The progress of train, search, baselines and sweep on stderr, through one `ProgressLine`:
/// on a terminal a redrawn line per epoch, in a log one ISO-timestamped line per epoch and
/// stage, nothing with `--quiet` (stdout stays clean for `--json` either way).
struct RunProgress {
  let display: ProgressLine

  init(quiet: Bool) { display = ProgressLine(mode: .standardError(quiet: quiet)) }

  /// An observer for searches, baselines, float references and sweeps; `tag` names the
  /// sweep's seed in stage lines.
  func observer(tag: String = "", tensorboard: TensorBoardLog? = nil) -> RunObserver {
    let display = display
    let observer = RunObserver(
      stage: { display.line("sweep\(tag): \($0)") },
      step: { step in
        display.step(
          ProgressLine.Step(
            phase: step.phase, epoch: step.epoch, epochs: step.epochs, done: step.step, total: step.steps,
            imagesPerSecond: step.imagesPerSecond,
            metrics: String(format: "loss %.4f acc %.2f%%", step.loss, step.accuracy * 100)))
      },
      epoch: { row in
        display.epoch(epochText(row), epoch: row.epoch, epochs: row.scheduledEpochs, seconds: row.seconds)
      },
      floatEpoch: { metrics, epochs in
        display.epoch(
          "reference " + floatEpochText(metrics, epochs: epochs), epoch: metrics.epoch, epochs: epochs,
          seconds: nil)
      })
    return tensorboard?.adding(to: observer) ?? observer
  }
}

/// `search epoch 3/15  train loss … acc …  val acc …  cost …  latency … cycles  T …`.
func epochText(_ row: TraceRow) -> String {
  String(
    format: "%@ epoch %d%@  train loss %.4f acc %.2f%%  val acc %.2f%%  cost %.4f  latency %.0f cycles  T %.3f",
    "\(row.phase)" as NSString, row.epoch, (row.scheduledEpochs.map { "/\($0)" } ?? "") as NSString, row.trainLoss,
    row.trainAccuracy * 100, row.validationAccuracy * 100, row.softCost, row.latencyCycles, row.temperature)
}

/// `epoch 3/10  train loss … acc …  val loss … acc …  lr …  … img/s` of a float training.
func floatEpochText(_ metrics: Checkpoint.EpochMetrics, epochs: Int) -> String {
  String(
    format: "epoch %d/%d  train loss %.4f acc %.2f%%  val loss %.4f acc %.2f%%  lr %.4g  %.0f img/s", metrics.epoch,
    epochs, metrics.trainLoss, metrics.trainAccuracy * 100, metrics.validationLoss, metrics.validationAccuracy * 100,
    metrics.learningRate, metrics.imagesPerSecond)
}
