import ArgumentParser
import Engine
import Foundation
import Hardware
import Models
import Search

extension CostMetric: ExpressibleByArgument {}
extension WarmupKind: ExpressibleByArgument {}
extension CostGradient: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {
  /// `auto` becomes what this CPU computes fastest, so run files record the real choice.
  package init?(argument: String) { self.init(choice: argument) }
  package static var allValueStrings: [String] { allCases.map(\.rawValue) + ["auto"] }
}

/// What one search is run on and how: the options search, sweep and baselines share.
struct SearchOptions: ParsableArguments {
  @Option(help: "SoC: diana, darkside, naive, a shipped .toml name or a description file.") var soc: String
  @Option(help: "Zoo model.") var model: String
  @Option(help: "Width multiplier (MobileNetV1).") var width = 1.0
  @Option(help: "MobileNetV1's first-layer stride (the reference's Darkside network: 2 at 32×32).") var stemStride: Int?
  @Option(help: "Dataset file (with a validation split: epochs and mappings are selected on it).") var data: String
  @Option(help: "What the cost term measures: latency or energy.") var metric: CostMetric = .latency
  @Option(
    help: """
      normalized (default: cost divided by the cost of the mapping the search starts from, \
      so λ = 1 weighs the starting cost like one nat of cross-entropy) or raw (raw cycles or \
      mW·cycles, the reference code's scale; its grids span 1e-10…1e-4).
      """) var lambdaScale = "normalized"
  @Option(help: "Seed of weights, splits, shuffling and augmentation.") var seed: UInt64 = 0
  @Option(help: "Train on the first N training images only.") var trainLimit: Int?
  @Option(
    name: .customLong("init"),
    help: """
      The split the search starts from: half (default; the reference's Darkside start, equal \
      logits on DIANA) or a unit's name (every channel on it, e.g. cluster).
      """) var initialSplit = "half"
  @Option(
    help: """
      float (default: the float model is pre-trained, then batch norm is folded into the \
      quantized supernet — DIANA as the reference does it; Darkside has no float supernet and \
      uses random splits) or random-split (the supernet itself under a random split per step).
      """) var warmup: WarmupKind = .float
  @Option(
    help: """
      How the cost term's gradient reaches the split: local (default: the smooth cost's own \
      derivative, ⌈ch/N⌉ with slope 1/N) or secant (towards each layer's cheapest whole split, at \
      the rate the whole move saves: a lone channel that holds a unit's block open is charged \
      the block).
      """) var costGradient: CostGradient = .local
  @Option(
    help: """
      What convolutions compute in: fp32 (default), bf16 (convolutions with output maps of \
      16×16 or more read input, weights and output gradients \
      as bfloat16, float32 accumulation: faster on CPUs with AVX512_BF16 or AMX, and an \
      approximation during the search, whose mixed weights are not integers) or auto (bf16 \
      where this CPU has native bfloat16, else fp32). Stored in the run files.
      """) var precision: Precision = .fp32
  @OptionGroup var preset: PresetOptions

  func configuration(lambda: Double = 0) throws -> SearchConfiguration {
    SearchConfiguration(
      soc: soc, model: model, width: width, data: absolutePath(data), metric: metric, lambda: lambda,
      lambdaScale: lambdaScale,
      seed: seed, preset: try preset.resolve(), trainLimit: trainLimit, warmup: warmup, initialSplit: initialSplit,
      stemStride: stemStride, costGradient: costGradient, precision: precision)
  }
}

/// The preset and the per-run adjustments search, sweep and baselines share.
struct PresetOptions: ParsableArguments {
  @Option(
    help: """
      quick (CPU demo: warmup 1, search 2, fine-tune 2 epochs), standard (warmup 5, search 5, \
      fine-tune 5 at batch 256, fine-tune from the warmup weights: the full-scale protocol), \
      standard-searched (standard, fine-tuning from the searched weights as the reference does; \
      baselines train the search epochs too), paper (the reference's GPU epochs) or a preset \
      file (*.toml; see datasets/FORMATS.md). The options below override single fields.
      """) var preset = "quick"
  @Option(help: "Warmup epochs.") var warmupEpochs: Int?
  @Option(help: "Search epochs.") var searchEpochs: Int?
  @Option(name: .customLong("finetune-epochs"), help: "Fine-tune epochs.") var fineTuneEpochs: Int?
  @Option(help: "Batch size.") var batch: Int?
  @Option(help: "SGD learning rate of the weights (every phase of supernets that keep batch norm).") var lr: Double?
  @Option(help: "SGD learning rate of the weights once batch norm is folded (DIANA's search and fine-tune).")
  var foldedLr: Double?
  @Option(help: "Adam learning rate of the architecture logits.") var logitLr: Double?
  @Option(help: "Search epochs over which λ ramps up linearly from 0 (0 = none).") var lambdaRamp: Int?
  @Option(help: "Stop fine-tuning after this many epochs without a better validation accuracy.") var patience: Int?

  func resolve() throws -> SearchPreset {
    var chosen = try SearchPreset.resolve(preset)
    let overrides: [(Int?, WritableKeyPath<SearchPreset, Int>)] = [
      (warmupEpochs, \.warmupEpochs), (searchEpochs, \.searchEpochs), (fineTuneEpochs, \.fineTuneEpochs),
      (batch, \.batchSize), (lambdaRamp, \.lambdaRampEpochs),
    ]
    for (value, field) in overrides { if let value { chosen[keyPath: field] = value } }
    if let lr { chosen.learningRate = lr }
    if let foldedLr { chosen.foldedLearningRate = foldedLr }
    if let logitLr { chosen.logitLearningRate = logitLr }
    if let patience { chosen.patience = patience }
    try chosen.validate()
    return chosen
  }
}

/// `path` made absolute against the working directory, so run files name their dataset
/// wherever they are later read from (an audit run from another folder finds it).
func absolutePath(_ path: String) -> String {
  URL(fileURLWithPath: path).standardizedFileURL.path
}
