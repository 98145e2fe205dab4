import Datasets
import Engine
import Foundation
import HDF5
import Hardware

/// Everything that defines one search (one λ).
public struct SearchConfiguration: Codable, Sendable, Equatable {
  public var soc: String
  public var model: String
  public var width: Double
  public var data: String
  public var metric: CostMetric
  public var lambda: Double
  /// "normalized" (default): λ multiplies cost / cost of the whole network's searchable
  /// layers on the single cheapest unit, so λ ≈ 1 weighs cost like the task loss;
  /// "raw": λ multiplies raw cycles (or mW·cycles), the reference code's scale.
  public var lambdaScale: String
  public var seed: UInt64
  public var preset: SearchPreset
  /// Train on the first N training images only (tests, quick looks); nil: all.
  public var trainLimit: Int?

  public init(
    soc: String, model: String, width: Double = 1, data: String, metric: CostMetric, lambda: Double,
    lambdaScale: String = "normalized", seed: UInt64 = 0, preset: SearchPreset = .quick, trainLimit: Int? = nil
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
  }
}

/// One search phase.
public enum SearchPhase: Int, Sendable, Codable {
  case warmup, search, fineTune
}

/// One row of a run's trace.
public struct TraceRow: Sendable, Codable {
  public var phase: SearchPhase
  public var epoch: Int
  public var trainLoss: Double
  public var trainAccuracy: Double
  public var validationLoss: Double
  public var validationAccuracy: Double
  public var lambda: Double
  /// λ's cost term at the end of the epoch (scaled by the run's cost scale).
  public var softCost: Double
  /// Exact figures of the discrete mapping at the end of the epoch.
  public var latencyCycles: Double
  public var energyMicrojoules: Double?
  public var temperature: Double
  public var learningRate: Double
  /// Channels per unit of every searchable layer (layers × units, in plan option order).
  public var channels: [[Int]]
}

/// The outcome of a search.
public struct SearchResult: Sendable {
  public let mapping: Mapping
  public let cost: NetworkCostReport
  public let testAccuracy: Double
  public let trace: [TraceRow]
}

/// Warmup → search → fine-tune for one λ, writing the run file after every epoch.
public enum SearchRun {
  public static let formatName = "odimo-run"

  /// Searches (baseline nil) or trains a hand-made mapping with the same protocol: the
  /// warmup, then the mapping frozen for the fine-tune epochs (plus the search epochs when
  /// the preset fine-tunes from the searched weights), so accuracies compare. `warmStart`
  /// holds the weights of a warmup already run with this configuration (a sweep's shared
  /// one), which then replaces the warmup phase; pass it again when resuming.
  public static func run(
    _ configuration: SearchConfiguration, out path: String, baseline: MappingStrategy? = nil,
    warmStart: [String: [Float]]? = nil, resume: Bool = false, report: (TraceRow) -> Void = { _ in }
  ) throws -> SearchResult {
    guard configuration.lambda >= 0, configuration.lambda.isFinite else {
      throw EngineError("--lambda must be a finite number ≥ 0, got \(configuration.lambda)")
    }
    guard ["normalized", "raw"].contains(configuration.lambdaScale) else {
      throw EngineError("--lambda-scale must be normalized or raw, got \(configuration.lambdaScale)")
    }
    let exists = FileManager.default.fileExists(atPath: path)
    if exists && !resume { throw EngineError("\(path) exists; pass --resume to continue it or choose another --out") }
    if !exists && resume { throw EngineError("\(path): nothing to resume (no such run file)") }
    let setup = try SearchSetup(configuration, replaceBlocks: baseline != .depthwiseSeparable)
    let (dataset, model, supernet, network) = (setup.dataset, setup.model, setup.supernet, setup.network)
    let (objective, weights, logits, trainer) = (setup.objective, setup.weights, setup.logits, setup.trainer)
    let (scale, trainLoader, preset) = (setup.costScale, setup.trainLoader, configuration.preset)
    guard !supernet.searchable.isEmpty || baseline != nil else {
      throw EngineError("\(model.name) on \(setup.soc.name) has no layer two units can run; nothing to search")
    }
    // Stored weights must fit this model as built for this dataset (its class count).
    func fitting(_ restore: () throws -> Void, from source: String) throws {
      do { try restore() } catch {
        throw EngineError(
          "\(source) does not fit \(model.name) for \(configuration.data) (\(dataset.classNames.count) classes): \(error)"
        )
      }
    }
    // A sweep's λ runs start from one shared warmup.
    if let warmStart { try fitting({ try network.restore(warmStart) }, from: "the warm-start weights") }
    let validationSplit = dataset.splits.contains { $0.name == "val" } ? "val" : "test"
    let validation = try BatchLoader.evaluation(path: configuration.data, split: validationSplit)
    var trace: [TraceRow] = []
    var best: (accuracy: Double, weights: [String: [Float]])?
    // The weights fine-tuning restarts from under `fineTuneFrom: .warmup`.
    var warmupWeights = warmStart
    if resume {
      let saved = try ResumeState.read(path, configuration: configuration)
      try fitting({ try network.restore(saved.weights) }, from: path)
      objective.restoreSplits(saved.weights)
      weights.restore(velocity: saved.velocity)
      logits.restore(steps: saved.adamSteps, firstMoment: saved.adamFirst, secondMoment: saved.adamSecond)
      trace = saved.trace
      best = saved.best
      warmupWeights = saved.warmupWeights ?? warmupWeights
    }
    let completed = trace.count
    // A warm start replaces the warmup phase (a sweep's shared warmup).
    let warmupEpochs = warmStart == nil ? preset.warmupEpochs : 0
    // A hand-made mapping gets the same weight training as a searched one: the warmup
    // (random splits), then its mapping frozen for the fine-tune epochs — plus the search
    // epochs when the searched weights carry on into fine-tuning.
    let phases: [(SearchPhase, Int)] =
      baseline == nil
      ? [(.warmup, warmupEpochs), (.search, preset.searchEpochs), (.fineTune, preset.fineTuneEpochs)]
      : [
        (.warmup, warmupEpochs),
        (.fineTune, preset.fineTuneEpochs + (preset.fineTuneFrom == .searched ? preset.searchEpochs : 0)),
      ]
    var epochNumber = 0
    for (phase, epochs) in phases {
      var sinceBest = 0
      if phase == .fineTune {
        if let baseline {
          try fix(objective, network, to: try supernet.plan.mapping(baseline))
        } else {
          freeze(objective, network)
        }
        if baseline == nil, preset.fineTuneFrom == .warmup, epochNumber >= completed, let warmupWeights {
          // Everything but the architecture logits, which hold the searched mapping.
          let logitNames = Set(network.logitParameters.map(\.name))
          let kept = network.snapshot().filter { logitNames.contains($0.key) }
          try network.restore(warmupWeights.merging(kept) { _, searched in searched })
          weights.restore(velocity: [:])
        }
      }
      for epochInPhase in 0..<epochs {
        if epochNumber < completed {
          epochNumber += 1
          continue
        }
        // Every epoch's random draws come from (seed, epoch), so a resumed run draws the same.
        let generator = SplitMix64.stream(seed: configuration.seed, UInt64(epochNumber) &+ 0x5EA2C4)
        // The k-th epoch of weight training after the warmup sees the same shuffled and
        // augmented batches in every run of a sweep — searched or hand-made — so two
        // networks with the same mapping train identically and accuracies differ by the
        // mapping, not by the data order.
        let warmup = preset.warmupEpochs
        let dataEpoch: Int =
          switch phase {
          case .warmup: epochInPhase
          case .search: warmup + epochInPhase
          case .fineTune:
            warmup + epochInPhase + (baseline == nil && preset.fineTuneFrom == .searched ? preset.searchEpochs : 0)
          }
        // Cosine over each phase, stepped per batch so every phase ends near zero: the
        // weights settle and the batch-norm running statistics catch up with them (with
        // per-epoch steps the last epoch of a short phase ran at half the rate, and its
        // running statistics lagged the weights badly enough to cost up to 30 points).
        let steps = max(trainLoader.batchesPerEpoch, 1)
        let rate = { (step: Int) -> Float in
          let progress = (Double(epochInPhase) + Double(step) / Double(steps)) / Double(max(epochs, 1))
          return Float(preset.learningRate * 0.5 * (1 + Foundation.cos(Double.pi * progress)))
        }
        weights.learningRate = rate(0)
        // Annealed during search; fine-tune rows record the final search temperature.
        let annealed = phase == .search ? epochInPhase : phase == .fineTune ? preset.searchEpochs : 0
        let temperature = preset.initialTemperature * Foundation.pow(preset.temperatureDecay, Double(annealed))
        for layer in network.mixedLayers { layer.temperature = temperature }
        let ramp = preset.lambdaRampEpochs
        objective.lambda =
          phase == .search && ramp > 0
          ? configuration.lambda * min(1, Double(epochInPhase + 1) / Double(ramp)) : configuration.lambda
        let trained = try trainEpoch(
          trainer, loader: trainLoader, epoch: dataEpoch, phase: phase, objective: objective, logits: logits,
          generator: generator, learningRate: { weights.learningRate = rate($0) })
        if phase == .warmup {
          clearSamples(objective, network)
          if epochInPhase == epochs - 1, warmupWeights == nil { warmupWeights = network.snapshot() }
        }
        let validated = try trainer.evaluate(validation)
        let mapping = objective.mapping(named: "epoch-\(epochNumber + 1)")
        let cost = try supernet.plan.cost(of: mapping)
        let row = TraceRow(
          phase: phase, epoch: epochNumber + 1, trainLoss: trained.loss, trainAccuracy: trained.accuracy,
          validationLoss: validated.loss, validationAccuracy: validated.accuracy, lambda: objective.lambda,
          softCost: try objective.applyCost(), latencyCycles: cost.latencyCycles,
          energyMicrojoules: cost.energyMicrojoules,
          temperature: temperature, learningRate: Double(rate(0)),
          channels: supernet.searchable.map { layer in
            let counts = (try? supernet.plan.channelCounts(mapping)[layer.planIndex]) ?? []
            return counts
          })
        for layer in network.mixedLayers { layer.countGradient = [Double](repeating: 0, count: layer.alternatives) }
        trace.append(row)
        if phase == .fineTune {
          if validated.accuracy > (best?.accuracy ?? -1) {
            best = (validated.accuracy, network.snapshot())
            sinceBest = 0
          } else {
            sinceBest += 1
          }
        }
        try write(
          path, configuration: configuration, baseline: baseline, scale: scale, trace: trace, mapping: mapping,
          network: network,
          objective: objective, result: nil,
          state: ResumeState.Optimizers(
            sgd: weights, adam: logits, best: best, warmupWeights: baseline == nil ? warmupWeights : nil))
        report(row)
        epochNumber += 1
        // Early stopping: the fine-tune phase ends once validation accuracy has not improved
        // for `patience` epochs (the best epoch's weights are the result either way).
        if phase == .fineTune, let patience = preset.patience, sinceBest >= patience { break }
      }
    }
    if let best { try network.restore(best.weights) }
    let test = try BatchLoader.evaluation(path: configuration.data, split: "test")
    let tested = try trainer.evaluate(test)
    let mapping = objective.mapping(named: baseline?.name ?? "lambda-\(configuration.lambda)")
    let cost = try supernet.plan.cost(of: mapping)
    try write(
      path, configuration: configuration, baseline: baseline, scale: scale, trace: trace, mapping: mapping,
      network: network,
      objective: objective, result: (tested.accuracy, cost), state: nil)
    return SearchResult(mapping: mapping, cost: cost, testAccuracy: tested.accuracy, trace: trace)
  }
}
