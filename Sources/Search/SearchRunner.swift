import Datasets
import Engine
import Foundation
import Hardware
import Models
import Support

/// The state of one run as `SearchRun` steps through its schedule: the trace, the best
/// search epoch's logits, the best fine-tune weights, and which network is being trained.
final class SearchRunner {
  let configuration: SearchConfiguration
  let path: String
  let baseline: MappingStrategy?
  let setup: SearchSetup
  let schedule: SearchSchedule
  private let validation: BatchLoader
  private(set) var trace: [TraceRow] = []
  /// The best fine-tune epoch (validation accuracy) and its weights.
  private var best: (accuracy: Double, weights: [String: [Float]])?
  /// The best search epoch — lowest validation loss + λ·cost of its discrete mapping — and
  /// its architecture logits: the mapping the fine-tune freezes.
  private var bestSearch: (score: Double, logits: [String: [Float]])?
  /// The supernet's weights at the start of the search (fine-tuning restarts from them
  /// under `fineTuneFrom: .warmup`).
  private var warmupWeights: [String: [Float]]?
  /// Whether the float model (not the supernet) is the network being trained.
  private var onFloat: Bool
  /// Dataset digest, SoC text, version and commit(s), written into every save.
  private var provenance: RunProvenance

  init(
    _ configuration: SearchConfiguration, path: String, baseline: MappingStrategy?, warmStart: [String: [Float]]?
  ) throws {
    self.configuration = configuration
    self.path = path
    self.baseline = baseline
    setup = try SearchSetup(configuration, replaceBlocks: baseline != .depthwiseSeparable)
    guard !setup.supernet.searchable.isEmpty || baseline != nil else {
      throw InvalidOption(
        "--model", value: setup.model.name,
        expected: "a model with a layer two units of \(setup.soc.name) can run (nothing to search)")
    }
    schedule = SearchSchedule(
      preset: configuration.preset, baseline: baseline != nil, warmStarted: warmStart != nil,
      stepsPerEpoch: setup.trainLoader.batchesPerEpoch, lambda: configuration.lambda, folded: setup.float != nil)
    validation = try BatchLoader.evaluation(path: configuration.data, split: try setup.dataset.validationSplit())
    onFloat = setup.float != nil
    provenance = try RunProvenance.current(for: configuration)
    if let warmStart { try restore(warmStart, from: "the warm-start weights") }
  }

  private var network: Network { onFloat ? setup.float?.network ?? setup.network : setup.network }
  private var trainer: Trainer { onFloat ? setup.float?.trainer ?? setup.trainer : setup.trainer }
  private var weights: SGD { onFloat ? setup.float?.weights ?? setup.weights : setup.weights }

  /// Stored weights must fit the network being trained, as built for this dataset.
  private func restore(_ values: [String: [Float]], from source: String) throws {
    do { try network.restore(values) } catch {
      throw SearchError.weightsDoNotFit(
        source: source, network: network.architecture.name, dataset: configuration.data,
        classes: setup.dataset.classNames.count, detail: "\(error)")
    }
  }

  /// Continues the run file at `path` where it stopped.
  func resume() throws {
    let saved = try ResumeState.read(path, configuration: configuration, baseline: baseline)
    // The run keeps the build that began it; a different build resuming it is added.
    if let began = saved.provenance { provenance = try began.continued(by: provenance, run: path) }
    trace = saved.trace
    // A float warmup's weights stay the float model's until the next phase begins.
    onFloat = setup.float != nil && (trace.last.map { $0.phase == .warmup } ?? true)
    try restore(saved.weights, from: path)
    setup.objective.restoreSplits(saved.weights)
    weights.restore(velocity: saved.velocity)
    setup.logits.restore(steps: saved.adamSteps, firstMoment: saved.adamFirst, secondMoment: saved.adamSecond)
    best = saved.best
    bestSearch = saved.bestSearch
    warmupWeights = saved.warmupWeights
    // Mid-phase, or after the last epoch (only the test is left), the run loop enters no
    // phase: the stopped one's mapping must be set up again, or the test would see the
    // network unfrozen (a baseline under the search's mapping).
    let next = trace.count
    if next > 0, next == schedule.epochs.count || schedule.epochs[next].inPhase > 0 {
      try enter(schedule.epochs[next - 1].phase, resuming: true)
    }
  }

  /// Sets up `phase`; `resuming` re-establishes only the mapping (the weights were restored).
  func enter(_ phase: SearchPhase, resuming: Bool = false) throws {
    let (objective, supernetwork) = (setup.objective, setup.network)
    if phase != .warmup && onFloat {
      // A baseline's clips are calibrated under its own mapping, not the search's
      // starting split (a folded all-digital ResNet-20 then starts at 88 % instead of 81 %).
      if phase == .fineTune, let baseline {
        try SearchRun.fix(objective, supernetwork, to: try setup.supernet.plan.mapping(baseline))
      }
      try setup.adoptFloatWeights()
      onFloat = false
    }
    SearchRun.clearSamples(objective, supernetwork)
    switch phase {
    case .warmup: break
    case .search:
      if !resuming { warmupWeights = supernetwork.snapshot() }
    case .fineTune:
      if let baseline {
        try SearchRun.fix(objective, supernetwork, to: try setup.supernet.plan.mapping(baseline))
        return
      }
      if !resuming, let bestSearch {
        try supernetwork.restore(supernetwork.snapshot().merging(bestSearch.logits) { _, best in best })
        objective.restoreSplits(bestSearch.logits)
      }
      SearchRun.freeze(objective, supernetwork)
      if !resuming, configuration.preset.fineTuneFrom == .warmup, let warmupWeights {
        // Everything but the architecture logits, which hold the searched mapping.
        try supernetwork.restore(warmupWeights.merging(architectureLogits()) { _, searched in searched })
        setup.weights.restore(velocity: [:])
      }
    }
  }

  /// Whether a mean cross-entropy says training diverged: not finite, or above 100·ln(classes)
  /// (a network guessing uniformly scores ln(classes); a folded network whose clips were
  /// miscalibrated averaged 2.2e6 over an epoch and ended at chance, while a run that is
  /// still learning stays within a few nats).
  static func lossExploded(_ loss: Double, classes: Int) -> Bool {
    !loss.isFinite || loss > 100 * Foundation.log(Double(max(classes, 2)))
  }

  /// "layer/unit" of every searchable layer's alternatives, in `TraceRow.channels` order.
  var channelTags: [[String]] {
    let plan = setup.supernet.plan
    return setup.supernet.searchable.map { layer in
      plan.layers[layer.planIndex].options.map { "\(layer.name)/\(setup.soc.units[$0.unit].name)" }
    }
  }

  /// Trains one epoch, validates it, records it in the trace and writes the run file.
  func train(_ epoch: SearchSchedule.Epoch, observer: RunObserver = .silent) throws -> TraceRow {
    let start = Date()
    let (objective, sgd, mixed) = (setup.objective, weights, setup.network.mixedLayers)
    objective.lambda = schedule.lambda(epoch)
    // Every epoch's random draws come from (seed, epoch), so a resumed run draws the same.
    let generator = SplitMix64.stream(seed: configuration.seed, UInt64(epoch.index) &+ 0x5EA2C4)
    let trained = try SearchRun.trainEpoch(
      trainer, loader: setup.trainLoader, epoch: epoch.dataEpoch, phase: epoch.phase, objective: objective,
      logits: setup.logits, generator: generator,
      progress: observer.stepProgress(phase: "\(epoch.phase)", epoch: epoch.index + 1, epochs: schedule.epochs.count),
      beforeStep: { step in
        sgd.learningRate = self.schedule.learningRate(epoch, step: step)
        let temperature = self.schedule.temperature(epoch, step: step)
        for layer in mixed { layer.temperature = temperature }
      })
    if epoch.phase == .warmup { SearchRun.clearSamples(objective, setup.network) }
    let softCost = try objective.applyCost()
    // The search is judged by its discrete mapping: validated frozen, then released.
    if epoch.phase == .search { SearchRun.freeze(objective, setup.network) }
    objective.prepare()
    let validated = try trainer.evaluate(validation)
    let discreteCost = try objective.applyCost()
    let classes = setup.dataset.classNames.count
    guard !Self.lossExploded(trained.loss, classes: classes), !Self.lossExploded(validated.loss, classes: classes),
      softCost.isFinite, discreteCost.isFinite
    else {
      let detail =
        "epoch \(epoch.index + 1) (\(epoch.phase)): train loss \(trained.loss), validation loss \(validated.loss), "
        + "cost \(softCost)"
      if !FileManager.default.fileExists(atPath: path) {
        try write(mapping: objective.mapping(named: "diverged"), result: nil)
      }
      try RunFileFormat.markDiverged(path, detail)
      throw RunDiverged(run: path, detail: detail)
    }
    if epoch.phase == .search { SearchRun.clearSamples(objective, setup.network) }
    for layer in mixed { layer.countGradient = [Double](repeating: 0, count: layer.alternatives) }
    let mapping = objective.mapping(named: "epoch-\(epoch.index + 1)")
    let cost = try setup.supernet.plan.cost(of: mapping)
    let row = TraceRow(
      phase: epoch.phase, epoch: epoch.index + 1, trainLoss: trained.loss, trainAccuracy: trained.accuracy,
      validationLoss: validated.loss, validationAccuracy: validated.accuracy, lambda: objective.lambda,
      softCost: softCost, latencyCycles: cost.latencyCycles, energyMicrojoules: cost.energyMicrojoules,
      temperature: schedule.temperature(epoch, step: schedule.stepsPerEpoch), learningRate: Double(sgd.learningRate),
      channels: try setup.supernet.searchable.map { try setup.supernet.plan.channelCounts(mapping)[$0.planIndex] },
      seconds: Date().timeIntervalSince(start), scheduledEpochs: schedule.epochs.count)
    trace.append(row)
    switch epoch.phase {
    case .search:
      let score = validated.loss + configuration.lambda * discreteCost
      if score < bestSearch?.score ?? .infinity {
        bestSearch = (score, architectureLogits())
      }
    case .fineTune:
      if validated.accuracy > best?.accuracy ?? -1 { best = (validated.accuracy, setup.network.snapshot()) }
    case .warmup: break
    }
    try write(mapping: mapping, result: nil)
    return row
  }

  /// The architecture logits' current values by name: the mixed layers' α and the
  /// thermometric splits' (which the network's `restore` ignores, as they are not its parameters).
  private func architectureLogits() -> [String: [Float]] {
    var values = setup.objective.splitLogits
    for parameter in setup.network.logitParameters { values[parameter.name] = parameter.value.values() }
    return values
  }

  /// Whether fine-tuning has gone `patience` epochs without a better validation accuracy.
  var hasStoppedEarly: Bool {
    guard let patience = configuration.preset.patience else { return false }
    let accuracies = trace.filter { $0.phase == .fineTune }.map(\.validationAccuracy)
    guard let top = accuracies.max(), let bestIndex = accuracies.firstIndex(of: top) else { return false }
    return accuracies.count - 1 - bestIndex >= patience
  }

  /// The best fine-tune weights, tested; the complete run file.
  func finish() throws -> SearchResult {
    if let best { try setup.network.restore(best.weights) }
    let test = try BatchLoader.evaluation(path: configuration.data, split: "test")
    setup.objective.prepare()
    let tested = try trainer.evaluate(test)
    let mapping = setup.objective.mapping(named: baseline?.name ?? "lambda-\(configuration.lambda)")
    let cost = try setup.supernet.plan.cost(of: mapping)
    try write(mapping: mapping, result: (tested.accuracy, cost))
    return SearchResult(mapping: mapping, cost: cost, testAccuracy: tested.accuracy, trace: trace)
  }

  private func write(mapping: Mapping, result: (accuracy: Double, cost: NetworkCostReport)?) throws {
    let contents = RunFileFormat.Contents(
      configuration: configuration, baseline: baseline, costScale: setup.costScale, trace: trace, mapping: mapping,
      weightsOf: onFloat ? "float-model" : "supernet", result: result, provenance: provenance,
      architecture: network.architecture)
    let values = network.snapshot().merging(setup.objective.splitLogits) { current, _ in current }
    try RunFileFormat.write(
      path, contents, weights: values, shapes: network.valueShapes,
      state: result != nil
        ? nil
        : ResumeState.Optimizers(
          sgd: weights, adam: setup.logits, best: best, warmupWeights: baseline == nil ? warmupWeights : nil,
          bestSearch: bestSearch))
  }
}
