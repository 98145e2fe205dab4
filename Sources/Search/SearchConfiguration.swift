import Datasets
import Engine
import Foundation
import Hardware
import Models
import Support

/// Everything that defines one search (one λ).
package struct SearchConfiguration: Codable, Sendable, Equatable {
  package var soc: String
  package var model: String
  package var width: Double
  package var data: String
  package var metric: CostMetric
  package var lambda: Double
  /// "normalized" (default): λ multiplies cost / the cost of the mapping the search
  /// starts from (`--init`), so λ = 1 weighs "the whole starting cost" like one nat of
  /// cross-entropy whatever the SoC; "raw": λ multiplies raw cycles (or mW·cycles), the
  /// reference code's scale.
  package var lambdaScale: String
  package var seed: UInt64
  package var preset: SearchPreset
  /// Train on the first N training images only (tests, quick looks); nil: all.
  package var trainLimit: Int?
  /// How the weights are trained before the search (see `WarmupKind`).
  package var warmup: WarmupKind
  /// The split the search starts from: "half" (half the channels on each alternative;
  /// equal logits on shared-weights SoCs) or a unit's name (every channel on it);
  /// "legacy" in files written before the option (every channel on the first operator of
  /// alternative-operators layers, equal logits elsewhere).
  package var initialSplit: String
  /// MobileNetV1's first-layer stride (nil: the zoo's default for the resolution).
  package var stemStride: Int?
  /// How the cost term's gradient reaches the split (`CostGradient`); files written
  /// before the option were searched with `local`.
  package var costGradient: CostGradient
  /// What the convolutions compute in (`Precision`); files written before the option were
  /// computed in fp32.
  package var precision: Precision

  package init(
    soc: String, model: String, width: Double = 1, data: String, metric: CostMetric, lambda: Double,
    lambdaScale: String = "normalized", seed: UInt64 = 0, preset: SearchPreset = .quick, trainLimit: Int? = nil,
    warmup: WarmupKind = .float, initialSplit: String = "half", stemStride: Int? = nil,
    costGradient: CostGradient = .local, precision: Precision = .fp32
  ) {
    self.soc = soc
    self.model = model
    self.width = width
    self.data = data
    self.metric = metric
    self.lambda = lambda
    self.lambdaScale = lambdaScale
    self.seed = seed
    self.preset = preset
    self.trainLimit = trainLimit
    self.warmup = warmup
    self.initialSplit = initialSplit
    self.stemStride = stemStride
    self.costGradient = costGradient
    self.precision = precision
  }

  /// Files written before a field existed decode with the behaviour they were run with.
  package init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    soc = try container.decode(String.self, forKey: .soc)
    model = try container.decode(String.self, forKey: .model)
    width = try container.decode(Double.self, forKey: .width)
    data = try container.decode(String.self, forKey: .data)
    metric = try container.decode(CostMetric.self, forKey: .metric)
    lambda = try container.decode(Double.self, forKey: .lambda)
    lambdaScale = try container.decode(String.self, forKey: .lambdaScale)
    seed = try container.decode(UInt64.self, forKey: .seed)
    preset = try container.decode(SearchPreset.self, forKey: .preset)
    trainLimit = try container.decodeIfPresent(Int.self, forKey: .trainLimit)
    warmup = try container.decodeIfPresent(WarmupKind.self, forKey: .warmup) ?? .randomSplit
    initialSplit = try container.decodeIfPresent(String.self, forKey: .initialSplit) ?? "legacy"
    stemStride = try container.decodeIfPresent(Int.self, forKey: .stemStride)
    costGradient = try container.decodeIfPresent(CostGradient.self, forKey: .costGradient) ?? .local
    precision = try container.decodeIfPresent(Precision.self, forKey: .precision) ?? .fp32
  }

  /// Refuses values no search can run with, naming the option.
  package func validate() throws {
    guard lambda >= 0, lambda.isFinite else {
      throw InvalidOption("--lambda", value: lambda, expected: "a finite number ≥ 0")
    }
    guard ["normalized", "raw"].contains(lambdaScale) else {
      throw InvalidOption("--lambda-scale", value: lambdaScale, expected: "normalized or raw")
    }
    if let trainLimit, trainLimit < 1 {
      throw InvalidOption("--train-limit", value: trainLimit, expected: "≥ 1 image")
    }
    try preset.validate()
  }

  /// The zoo model for the dataset at `data`.
  func makeModel(for dataset: DatasetFile) throws -> Architecture {
    try ModelZoo.make(model, for: dataset, width: width, stemStride: stemStride)
  }

  /// Whether the supernet on `soc` is the folded, quantized one a float warmup feeds.
  func foldsBatchNorm(on soc: SoC) -> Bool { soc.mappingStyle == .sharedWeights && warmup == .float }
}

/// How a search's weights are trained before its search phase.
package enum WarmupKind: String, Codable, Sendable, CaseIterable {
  /// The float zoo model is trained (batch norm, no quantization); the search then starts
  /// from it with batch norm folded into the quantized supernet's weights (the reference's
  /// DIANA protocol). On SoCs whose alternatives are different operators (Darkside) there
  /// is no float model of the supernet, and this means `randomSplit`.
  case float
  /// The supernet itself is trained with a random split drawn per step and layer (the
  /// reference's Darkside warmup; on shared-weights SoCs a random channel subset, batch
  /// norm kept unfolded and activations float).
  case randomSplit = "random-split"
}
