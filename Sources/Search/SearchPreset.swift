import Foundation

/// Epochs, optimizers and temperature schedule of the three phases.
public struct SearchPreset: Sendable, Codable, Equatable {
  public var name: String
  public var warmupEpochs: Int
  public var searchEpochs: Int
  public var fineTuneEpochs: Int
  public var batchSize: Int
  /// SGD (momentum 0.9, weight decay 5e-4, cosine within each phase) for the weights.
  public var learningRate: Double
  /// Adam for the architecture logits.
  public var logitLearningRate: Double
  /// Softmax temperature at the start of the search phase…
  public var initialTemperature: Double
  /// …multiplied by this factor after every search epoch.
  public var temperatureDecay: Double
  /// Where the fine-tune phase starts: the searched weights (the reference's protocol) or
  /// the warmup's (then a searched mapping gets exactly the weight training a hand-made
  /// baseline gets — warmup, then the fine-tune epochs under its frozen mapping — so
  /// accuracies differ by the mapping alone).
  public var fineTuneFrom: FineTuneStart = .searched
  /// Early stopping: fine-tuning ends after this many epochs without a better validation
  /// accuracy (nil: run every epoch).
  public var patience: Int? = nil
  /// λ ramp: during the first this-many search epochs λ grows linearly to its value
  /// (epoch e of the search uses λ·(e+1)/ramp), so the weights adapt before cost bites;
  /// 0 applies λ from the start.
  public var lambdaRampEpochs: Int = 0

  public enum FineTuneStart: String, Sendable, Codable, Equatable {
    case searched, warmup
  }

  /// Scaled to a 2-core CPU: minutes per λ on Fashion-MNIST-sized data. The temperature
  /// falls tenfold over the search phase; fine-tuning restarts from the warmup weights so
  /// short budgets compare searched and hand-made mappings on equal training.
  public static let quick = SearchPreset(
    name: "quick", warmupEpochs: 1, searchEpochs: 2, fineTuneEpochs: 2, batchSize: 128, learningRate: 0.05,
    logitLearningRate: 0.05, initialTemperature: 5, temperatureDecay: Foundation.exp(-Foundation.log(10.0) / 2),
    fineTuneFrom: .warmup, patience: nil)

  /// The reference's scale (GPU budgets: hundreds of epochs per phase; temperature ×e^−0.045
  /// per epoch as in the published code).
  public static let paper = SearchPreset(
    name: "paper", warmupEpochs: 100, searchEpochs: 200, fineTuneEpochs: 100, batchSize: 128, learningRate: 0.1,
    logitLearningRate: 1e-3, initialTemperature: 5, temperatureDecay: Foundation.exp(-0.045),
    fineTuneFrom: .searched, patience: 20)

  public static func named(_ name: String) -> SearchPreset? {
    switch name {
    case "quick": .quick
    case "paper": .paper
    default: nil
    }
  }
}

extension SearchPreset {
  /// Files written before a field existed decode with its default.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: CodingKeys.self)
    name = try container.decode(String.self, forKey: .name)
    warmupEpochs = try container.decode(Int.self, forKey: .warmupEpochs)
    searchEpochs = try container.decode(Int.self, forKey: .searchEpochs)
    fineTuneEpochs = try container.decode(Int.self, forKey: .fineTuneEpochs)
    batchSize = try container.decode(Int.self, forKey: .batchSize)
    learningRate = try container.decode(Double.self, forKey: .learningRate)
    logitLearningRate = try container.decode(Double.self, forKey: .logitLearningRate)
    initialTemperature = try container.decode(Double.self, forKey: .initialTemperature)
    temperatureDecay = try container.decode(Double.self, forKey: .temperatureDecay)
    fineTuneFrom = try container.decodeIfPresent(FineTuneStart.self, forKey: .fineTuneFrom) ?? .searched
    patience = try container.decodeIfPresent(Int.self, forKey: .patience)
    lambdaRampEpochs = try container.decodeIfPresent(Int.self, forKey: .lambdaRampEpochs) ?? 0
  }
}
