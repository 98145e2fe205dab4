import ArgumentParser
import Search

/// The preset and the per-run adjustments search, sweep and baselines share.
struct PresetOptions: ParsableArguments {
  @Option(
    help: """
      quick (2-core CPU: warmup 1, search 2, fine-tune 2 epochs; fine-tune restarts from \
      the warmup) or paper (the reference's epochs and optimizers).
      """) var preset = "quick"
  @Option(help: "Search epochs over which λ ramps up linearly from 0 (default: the preset's, 0 = none).")
  var lambdaRamp: Int?
  @Option(help: "Stop fine-tuning after this many epochs without a better validation accuracy (default: the preset's).")
  var patience: Int?

  func resolve() throws -> SearchPreset {
    guard var chosen = SearchPreset.named(preset) else {
      throw InputError("--preset must be quick or paper, got \(preset)")
    }
    if let lambdaRamp {
      guard lambdaRamp >= 0 else { throw InputError("--lambda-ramp must be ≥ 0 epochs, got \(lambdaRamp)") }
      chosen.lambdaRampEpochs = lambdaRamp
    }
    if let patience {
      guard patience >= 1 else { throw InputError("--patience must be ≥ 1 epoch, got \(patience)") }
      chosen.patience = patience
    }
    return chosen
  }
}
