import Foundation

/// Which epochs a run trains, in which phase, on which data epoch, and the learning
/// rate, temperature and λ of each step: the whole timetable of `SearchRun`, decided
/// before the first step so the loop only follows it.
struct SearchSchedule {
  /// One epoch of the run.
  struct Epoch {
    /// 0-based over the whole run (the trace's row).
    let index: Int
    let phase: SearchPhase
    let inPhase: Int
    let phaseLength: Int
    /// The loader epoch: the k-th epoch of weight training after the warmup sees the same
    /// shuffled and augmented batches in every run of a sweep — searched or hand-made —
    /// so two networks with the same mapping train identically and accuracies differ by
    /// the mapping, not by the data order.
    let dataEpoch: Int
  }

  let preset: SearchPreset
  let epochs: [Epoch]
  let stepsPerEpoch: Int
  /// λ as configured (the search phase ramps towards it).
  let lambda: Double
  /// Whether the supernet has batch norm folded (its weights then train at the preset's folded rate).
  let folded: Bool

  /// A searched run: warmup (none after a warm start), search, fine-tune. A hand-made
  /// mapping (`baseline`) gets the same weight training: the warmup, then its mapping
  /// frozen for the fine-tune epochs — plus the search epochs when the searched weights
  /// carry on into fine-tuning.
  init(preset: SearchPreset, baseline: Bool, warmStarted: Bool, stepsPerEpoch: Int, lambda: Double, folded: Bool) {
    self.preset = preset
    self.folded = folded
    self.stepsPerEpoch = max(stepsPerEpoch, 1)
    self.lambda = lambda
    let warmup = warmStarted ? 0 : preset.warmupEpochs
    let extra = preset.fineTuneFrom == .searched ? preset.searchEpochs : 0
    let phases: [(SearchPhase, Int)] =
      baseline
      ? [(.warmup, warmup), (.fineTune, preset.fineTuneEpochs + extra)]
      : [(.warmup, warmup), (.search, preset.searchEpochs), (.fineTune, preset.fineTuneEpochs)]
    var epochs: [Epoch] = []
    for (phase, length) in phases {
      for inPhase in 0..<length {
        let dataEpoch: Int =
          switch phase {
          case .warmup: inPhase
          case .search: preset.warmupEpochs + inPhase
          case .fineTune: preset.warmupEpochs + inPhase + (!baseline ? extra : 0)
          }
        epochs.append(
          Epoch(index: epochs.count, phase: phase, inPhase: inPhase, phaseLength: length, dataEpoch: dataEpoch))
      }
    }
    self.epochs = epochs
  }

  /// Progress through the epoch's phase (0…1) at `step`.
  func progress(_ epoch: Epoch, step: Int) -> Double {
    (Double(epoch.inPhase) + Double(step) / Double(stepsPerEpoch)) / Double(max(epoch.phaseLength, 1))
  }

  /// Cosine over each phase, stepped per batch so every phase ends near zero: the
  /// weights settle and the batch-norm running statistics catch up with them (with
  /// per-epoch steps the last epoch of a short phase ran at half the rate, and its
  /// running statistics lagged the weights badly enough to cost up to 30 points).
  func learningRate(_ epoch: Epoch, step: Int) -> Float {
    Float(
      preset.learningRate(in: epoch.phase, folded: folded) * 0.5
        * (1 + Foundation.cos(Double.pi * progress(epoch, step: step))))
  }

  /// Annealed step by step during the search, from the preset's initial to its final
  /// temperature; the final one after it.
  func temperature(_ epoch: Epoch, step: Int) -> Double {
    switch epoch.phase {
    case .warmup: preset.initialTemperature
    case .search: preset.temperature(atSearchProgress: progress(epoch, step: step))
    case .fineTune: preset.finalTemperature
    }
  }

  /// λ of the epoch: during the first `lambdaRampEpochs` search epochs it grows linearly.
  func lambda(_ epoch: Epoch) -> Double {
    let ramp = preset.lambdaRampEpochs
    guard epoch.phase == .search, ramp > 0 else { return lambda }
    return lambda * min(1, Double(epoch.inPhase + 1) / Double(ramp))
  }
}
