import Datasets
import Engine
import Foundation
import Hardware

/// What one search trains with, built from its configuration: the supernet and its
/// network, the λ·cost objective, SGD on the weights, Adam on the logits and the
/// augmenting training loader. `SearchRun` and `SearchBenchmark` share it, so the
/// benchmark times exactly what a search runs.
struct SearchSetup {
  let soc: SoC
  let dataset: DatasetFile
  let model: Architecture
  let supernet: Supernet
  let network: Network
  /// What the cost is divided by before λ multiplies it (1 on the raw scale).
  let costScale: Double
  let objective: SearchObjective
  let weights: SGD
  let logits: Adam
  let trainer: Trainer
  let trainLoader: BatchLoader

  /// `replaceBlocks` false keeps depthwise-separable blocks (the `dws` baseline's network).
  init(_ configuration: SearchConfiguration, replaceBlocks: Bool = true) throws {
    soc = try SoCCatalogue.soc(configuration.soc)
    try SearchObjective.check(configuration.metric, on: soc)
    dataset = try DatasetFile(path: configuration.data)
    model = try ModelZoo.make(configuration.model, for: dataset, width: configuration.width)
    supernet = try Supernet(model: model, soc: soc, replaceBlocks: replaceBlocks)
    network = Network(supernet.architecture, seed: configuration.seed)
    costScale =
      configuration.lambdaScale == "raw"
      ? 1 : try SearchRun.cheapestSingleUnitCost(supernet, metric: configuration.metric)
    objective = try SearchObjective(
      supernet: supernet, network: network, metric: configuration.metric, lambda: configuration.lambda,
      costScale: costScale)
    let preset = configuration.preset
    weights = SGD(
      parameters: network.weightParameters, learningRate: Float(preset.learningRate), momentum: 0.9, weightDecay: 5e-4)
    logits = Adam(parameters: objective.logitParameters, learningRate: Float(preset.logitLearningRate))
    trainer = Trainer(network: network, optimizer: weights)
    let images = min(try dataset.split("train").count, configuration.trainLimit ?? .max)
    trainLoader = try BatchLoader(
      path: configuration.data, split: "train",
      options: LoaderOptions(
        batchSize: min(preset.batchSize, images), seed: configuration.seed, augmentation: .cropAndFlip,
        limit: configuration.trainLimit))
  }
}
