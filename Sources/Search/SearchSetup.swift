import Datasets
import Engine
import Foundation
import Hardware
import Models

/// What one search trains with, built from its configuration: the supernet and its
/// network, the λ·cost objective, SGD on the weights, Adam on the logits, the augmenting
/// training loader and — for a float warmup — the float model with its own SGD.
/// `SearchRun` and `SearchBenchmark` share it, so the benchmark times exactly what a
/// search runs.
struct SearchSetup {
  let soc: SoC
  let dataset: DatasetFile
  let model: Architecture
  let supernet: Supernet
  let network: Network
  /// What the cost is divided by before λ multiplies it (1 on the raw scale; the starting
  /// mapping's cost on the normalised one).
  let costScale: Double
  let objective: SearchObjective
  let weights: SGD
  let logits: Adam
  let trainer: Trainer
  let trainLoader: BatchLoader
  /// The float model trained by a float warmup, and its trainer (nil: the warmup trains
  /// the supernet under random splits).
  let float: (network: Network, weights: SGD, trainer: Trainer)?

  /// `replaceBlocks` false keeps depthwise-separable blocks (the `dws` baseline's network).
  init(_ configuration: SearchConfiguration, replaceBlocks: Bool = true) throws {
    try configuration.validate()
    soc = try SoCCatalogue.soc(configuration.soc)
    try SearchObjective.check(configuration.metric, on: soc)
    dataset = try DatasetFile(path: configuration.data)
    _ = try dataset.validationSplit()
    try dataset.checkForTraining()
    model = try configuration.makeModel(for: dataset)
    let folds = configuration.foldsBatchNorm(on: soc)
    supernet = try Supernet(model: model, soc: soc, replaceBlocks: replaceBlocks, foldBatchNorm: folds)
    network = Network(supernet.architecture, seed: configuration.seed, precision: configuration.precision)
    objective = try SearchObjective(
      supernet: supernet, network: network, metric: configuration.metric, lambda: configuration.lambda,
      gradient: configuration.costGradient, initialSplit: configuration.initialSplit)
    // The starting mapping's cost, before any logit moves (deterministic: the initial
    // logits do not depend on the seed).
    let startingCost = supernet.searchable.isEmpty ? 1 : try objective.rawCost()
    costScale = configuration.lambdaScale == "raw" ? 1 : max(startingCost, 1e-12)
    objective.costScale = costScale
    let preset = configuration.preset
    weights = SGD(
      parameters: network.weightParameters, learningRate: Float(preset.learningRate), momentum: 0.9, weightDecay: 5e-4)
    logits = Adam(parameters: objective.logitParameters, learningRate: Float(preset.logitLearningRate))
    trainer = Trainer(network: network, optimizer: weights)
    if folds {
      let floatNetwork = Network(model, seed: configuration.seed, precision: configuration.precision)
      let floatWeights = SGD(
        parameters: floatNetwork.parameters, learningRate: Float(preset.learningRate), momentum: 0.9,
        weightDecay: 5e-4)
      float = (floatNetwork, floatWeights, Trainer(network: floatNetwork, optimizer: floatWeights))
    } else {
      float = nil
    }
    let images = min(try dataset.split("train").count, configuration.trainLimit ?? .max)
    trainLoader = try BatchLoader(
      path: configuration.data, split: "train",
      options: LoaderOptions(
        batchSize: min(preset.batchSize, images), seed: configuration.seed, augmentation: .cropAndFlip,
        limit: configuration.trainLimit))
  }

  /// The supernet takes over from the float model: batch norm folded into its weights,
  /// ternary scales fitted to them, PACT clips calibrated on a training batch, the
  /// weights' momentum cleared.
  func adoptFloatWeights() throws {
    guard let float else { return }
    let folded = try supernet.weights(fromFloat: float.network.snapshot())
    try network.restore(network.snapshot().merging(folded) { _, new in new })
    network.refitQuantizerScales()
    try trainer.calibrateActivationClips(on: trainLoader)
    weights.restore(velocity: [:])
  }
}
