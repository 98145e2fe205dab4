import Engine
import Models

/// Whoever watches a search, baseline, float reference or sweep: the CLI's progress
/// display, a TensorBoard writer, a test. Every closure is called on the working thread.
package struct RunObserver {
  /// Where a phase stands after a training step.
  package struct Step: Sendable {
    /// "warmup", "search", "fineTune" or "reference".
    package var phase: String
    /// 1-based epoch over the whole run, and the run's scheduled epoch count.
    package var epoch: Int
    package var epochs: Int
    /// 1-based step in the epoch, and the epoch's step count.
    package var step: Int
    package var steps: Int
    /// Running training loss and accuracy (0…1) over the epoch so far.
    package var loss: Double
    package var accuracy: Double
    package var imagesPerSecond: Double
  }

  /// A run about to train: its file and, per searchable layer, "layer/unit" for each of
  /// the layer's alternatives (the order of `TraceRow.channels`).
  package struct Run: Sendable {
    package var path: String
    package var channelTags: [[String]]

    package init(path: String, channelTags: [[String]]) {
      self.path = path
      self.channelTags = channelTags
    }
  }

  /// A search, baseline, warmup or float reference starts (or resumes).
  package var begin: (Run) -> Void
  /// A stage of a sweep starts or ends ("[3/11] λ 0.3", "warmup (resuming)", a skipped job).
  package var stage: (String) -> Void
  /// Every training step.
  package var step: (Step) -> Void
  /// Every finished epoch of a search or baseline, as its trace row.
  package var epoch: (TraceRow) -> Void
  /// Every finished epoch of a float training (a sweep's warmup on DIANA is a search run;
  /// this is the float reference).
  package var floatEpoch: (Checkpoint.EpochMetrics, _ epochs: Int) -> Void

  package init(
    begin: @escaping (Run) -> Void = { _ in },
    stage: @escaping (String) -> Void = { _ in }, step: @escaping (Step) -> Void = { _ in },
    epoch: @escaping (TraceRow) -> Void = { _ in },
    floatEpoch: @escaping (Checkpoint.EpochMetrics, _ epochs: Int) -> Void = { _, _ in }
  ) {
    self.begin = begin
    self.stage = stage
    self.step = step
    self.epoch = epoch
    self.floatEpoch = floatEpoch
  }

  /// Hears nothing.
  package static var silent: RunObserver { RunObserver() }

  /// A trainer's step callback that reports the steps of `phase` in epoch `epoch` (1-based)
  /// of `epochs` to `step`.
  func stepProgress(phase: String, epoch: Int, epochs: Int) -> Trainer.StepProgress {
    { step, steps, loss, accuracy, rate in
      self.step(
        Step(
          phase: phase, epoch: epoch, epochs: epochs, step: step, steps: steps, loss: loss, accuracy: accuracy,
          imagesPerSecond: rate))
    }
  }
}
