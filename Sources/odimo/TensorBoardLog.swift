import Engine
import Foundation
import Models
import Search
import TensorBoard

/// `--tensorboard DIR`: every run's epochs as TensorBoard scalars, one event-file folder per
/// run — DIR itself for a single run, DIR/<the run file's path inside the sweep folder,
/// without .h5> for a sweep's jobs (warmup, lambda-0.3, baselines/all-digital, reference,
/// seed-1/…), so TensorBoard lists them side by side.
final class TensorBoardLog {
  let root: String
  /// The sweep folder whose run files map to subfolders (nil: one run, written to root).
  let sweep: String?
  private var file: EventFile?
  private var channelTags: [[String]] = []

  init(root: String, sweep: String? = nil) {
    self.root = root
    self.sweep = sweep.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
  }

  /// The event-file folder of the run file at `path`.
  func folder(for path: String) -> String {
    guard let sweep else { return root }
    let full = URL(fileURLWithPath: path).standardizedFileURL.path
    let inside =
      full.hasPrefix(sweep + "/") ? String(full.dropFirst(sweep.count + 1)) : (full as NSString).lastPathComponent
    return root + "/" + (inside.hasSuffix(".h5") ? String(inside.dropLast(3)) : inside)
  }

  func begin(_ run: RunObserver.Run) throws(TensorBoardError) {
    file = try EventFile(folder: folder(for: run.path))
    channelTags = run.channelTags
  }

  /// The scalars of a search or baseline epoch.
  func epoch(_ row: TraceRow) throws(TensorBoardError) {
    var values: [String: Double] = [
      "loss/train": row.trainLoss, "loss/validation": row.validationLoss, "accuracy/train": row.trainAccuracy,
      "accuracy/validation": row.validationAccuracy, "lambda": row.lambda, "cost/soft": row.softCost,
      "cost/lambda_cost": row.lambda * row.softCost, "latency_cycles": row.latencyCycles,
      "temperature": row.temperature, "learning_rate": row.learningRate,
    ]
    if let energy = row.energyMicrojoules { values["energy_uj"] = energy }
    if let seconds = row.seconds { values["epoch_seconds"] = seconds }
    for (layer, counts) in zip(channelTags, row.channels) {
      for (tag, count) in zip(layer, counts) { values["channels/" + tag] = Double(count) }
    }
    try file?.scalars(values, step: row.epoch)
  }

  /// The scalars of a float training's epoch.
  func floatEpoch(_ metrics: Checkpoint.EpochMetrics) throws(TensorBoardError) {
    try file?.scalars(
      [
        "loss/train": metrics.trainLoss, "loss/validation": metrics.validationLoss,
        "accuracy/train": metrics.trainAccuracy, "accuracy/validation": metrics.validationAccuracy,
        "learning_rate": metrics.learningRate, "images_per_second": metrics.imagesPerSecond,
      ], step: metrics.epoch)
  }

  /// `observer` with this log added; a write that fails stops the run with its error
  /// (at the next epoch boundary, through `failure`).
  func adding(to observer: RunObserver) -> RunObserver {
    var combined = observer
    combined.begin = { run in
      observer.begin(run)
      self.record { try self.begin(run) }
    }
    combined.epoch = { row in
      observer.epoch(row)
      self.record { try self.epoch(row) }
    }
    combined.floatEpoch = { metrics, epochs in
      observer.floatEpoch(metrics, epochs)
      self.record { try self.floatEpoch(metrics) }
    }
    return combined
  }

  /// The first write error, if any: the command reports it after the run (a run is not
  /// thrown away because its TensorBoard copy could not be written).
  private(set) var failure: TensorBoardError?

  /// Throws the first write error (exit 1 after the run's own results are saved).
  func check() throws {
    if let failure { throw failure }
  }

  func record(_ write: () throws -> Void) {
    guard failure == nil else { return }
    do { try write() } catch { failure = error as? TensorBoardError ?? .cannotWrite(path: root, reason: "\(error)") }
  }
}
