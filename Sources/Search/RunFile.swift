import Datasets
import Engine
import Foundation
import HDF5
import Hardware
import Models

/// A finished run file (`odimo search`, a sweep point or a baseline) read back: what it
/// claims, and the means to check those claims from its weights and mapping.
package struct RunFile: Sendable {
  package let path: String
  package let configuration: SearchConfiguration
  /// The hand-made mapping's name for baselines; nil for searched runs.
  package let baseline: String?
  package let testAccuracy: Double
  package let latencyCycles: Double
  package let latencyMilliseconds: Double
  package let energyMicrojoules: Double?
  /// The searchable layers' latency (the paper's convention), recomputed from the mapping.
  package let searchableLatencyCycles: Double
  /// What λ's cost was divided by (nil in files that predate the attribute).
  package let costScale: Double?
  package let mapping: Mapping
  package let trace: [TraceRow]
  /// Dataset digest, SoC text, version and commit (nil in files that predate them).
  package let provenance: RunProvenance?

  /// "λ=<λ>" for searched runs, the mapping's name for baselines.
  package var name: String { baseline ?? "λ=\(Self.format(configuration.lambda))" }

  /// λ without a trailing ".0" (0.3, 1, 10).
  package static func format(_ lambda: Double) -> String {
    lambda == lambda.rounded() && abs(lambda) < 1e15 ? String(Int64(lambda)) : "\(lambda)"
  }

  /// Where the run at `path` diverged, if it did (nil for any other file).
  package static func divergence(_ path: String) -> String? { RunFileFormat.divergence(path) }

  /// Reads a complete run file; refuses other files and interrupted runs.
  package static func read(_ path: String) throws -> RunFile {
    let file = try RunFileFormat.open(path)
    defer { file.close() }
    guard try RunFileFormat.isComplete(file) else {
      throw SearchError.runFile(file: path, problem: .incomplete)
    }
    let (configuration, trace) = try RunFileFormat.configurationAndTrace(file, path: path)
    func number(_ key: RunFileFormat.Key) throws -> Double { try RunFileFormat.number(key, in: file, path: path) }
    let mapping = try Mapping.read(from: file)
    // Files that predate the attribute: recomputed (which needs the dataset for the model's geometry).
    let searchable =
      try RunFileFormat.optionalNumber(.searchableLatencyCycles, in: file, path: path)
      ?? Self.cost(of: mapping, configuration: configuration, soc: try SoCCatalogue.soc(configuration.soc))
      .searchable.latencyCycles
    return RunFile(
      path: path, configuration: configuration, baseline: try RunFileFormat.optionalString(.baseline, in: file),
      testAccuracy: try number(.testAccuracy), latencyCycles: try number(.latencyCycles),
      latencyMilliseconds: try number(.latencyMilliseconds),
      energyMicrojoules: try RunFileFormat.optionalNumber(.energyMicrojoules, in: file, path: path),
      searchableLatencyCycles: searchable,
      costScale: try RunFileFormat.optionalNumber(.costScale, in: file, path: path), mapping: mapping, trace: trace,
      provenance: try RunFileFormat.provenance(file, path: path))
  }

  /// The same run evaluated on `dataset` instead of the path it recorded (a dataset moved
  /// or copied since); refused unless the file's SHA-256 is the one the run recorded.
  package func relocated(dataset: String) throws -> RunFile {
    guard let provenance else {
      throw SearchError.datasetMismatch(run: path, dataset: dataset, recorded: nil, actual: nil)
    }
    let digest = try RunProvenance.sha256(of: dataset)
    guard digest == provenance.datasetSHA256 else {
      throw SearchError.datasetMismatch(
        run: path, dataset: dataset, recorded: provenance.datasetSHA256, actual: digest)
    }
    var configuration = configuration
    configuration.data = dataset
    return RunFile(
      path: path, configuration: configuration, baseline: baseline, testAccuracy: testAccuracy,
      latencyCycles: latencyCycles, latencyMilliseconds: latencyMilliseconds, energyMicrojoules: energyMicrojoules,
      searchableLatencyCycles: searchableLatencyCycles, costScale: costScale, mapping: mapping, trace: trace,
      provenance: provenance)
  }

  /// The cost of `mapping` under the model of `configuration` on `soc`.
  static func cost(of mapping: Mapping, configuration: SearchConfiguration, soc: SoC) throws -> NetworkCostReport {
    try plan(for: mapping, configuration: configuration, soc: soc).cost(of: mapping)
  }

  /// The plan of the model of `configuration` on `soc`, in `mapping`'s layout.
  private static func plan(for mapping: Mapping, configuration: SearchConfiguration, soc: SoC) throws -> NetworkPlan {
    let model = try configuration.makeModel(for: try DatasetFile(path: configuration.data))
    return try NetworkPlan(architecture: model, soc: soc, replaceBlocks: mapping.replacesBlocks)
  }

  /// For a baseline run, the layers whose stored channel split is not the one its
  /// heuristic gives on the run's SoC and model (empty when the run is that baseline); nil
  /// for a searched run. A run tested under another mapping — e.g. unfrozen after a resume —
  /// would otherwise pass for the baseline it names.
  package func layersOffHeuristic() throws -> [String]? {
    guard let baseline else { return nil }
    guard let strategy = MappingStrategy(name: baseline) else {
      throw MappingMismatch(description: "\(path): baseline '\(baseline)' is no hand-made mapping odimo knows")
    }
    let plan = try Self.plan(for: mapping, configuration: configuration, soc: try soc())
    let (stored, heuristic) = (try plan.channelCounts(mapping), try plan.channelCounts(try plan.mapping(strategy)))
    return plan.layers.indices.filter { stored[$0] != heuristic[$0] }.map { plan.layers[$0].name }
  }

  /// The SoC the run was costed on: its stored description (so editing the description
  /// file afterwards does not change what an audit re-costs), else the configuration's name.
  package func soc() throws -> SoC {
    guard let provenance else { return try SoCCatalogue.soc(configuration.soc) }
    return try SoCCatalogue.soc(fromDescription: provenance.socDescription, file: "\(path) (soc_description)")
  }

  /// The SoC, dataset and model the run was configured with.
  private func context() throws -> (SoC, DatasetFile, Architecture) {
    let dataset = try DatasetFile(path: configuration.data)
    return (try soc(), dataset, try configuration.makeModel(for: dataset))
  }

  /// The cost of the stored mapping, recomputed by the cost model.
  package func recomputedCost() throws -> NetworkCostReport {
    try Self.cost(of: mapping, configuration: configuration, soc: try soc())
  }

  /// The trained network as the run deployed it: its supernet with the stored weights
  /// and the stored mapping frozen (every mixed layer's channels on their units, every
  /// alternative-operator block's masks set).
  /// `precision` overrides the run's own (to compare the two).
  package func deployedNetwork(precision: Precision? = nil) throws -> (network: Network, supernet: Supernet) {
    let (soc, dataset, model) = try context()
    let supernet = try Supernet(
      model: model, soc: soc, replaceBlocks: mapping.replacesBlocks,
      foldBatchNorm: configuration.foldsBatchNorm(on: soc))
    let network = Network(
      supernet.architecture, seed: configuration.seed, precision: precision ?? configuration.precision)
    let weights = try RunFileFormat.weights(path)
    do { try network.restore(weights) } catch {
      throw SearchError.weightsDoNotFit(
        source: path, network: model.name, dataset: configuration.data, classes: dataset.classNames.count,
        detail: "\(error)")
    }
    let objective = try SearchObjective(
      supernet: supernet, network: network, metric: .latency, lambda: 0, initialSplit: configuration.initialSplit)
    try SearchRun.fix(objective, network, to: mapping)
    objective.prepare()
    return (network, supernet)
  }

  /// Test accuracy recomputed from the stored weights under the stored mapping (the
  /// same evaluation the run ended with, so an untouched file gives the same number).
  package func recomputedAccuracy() throws -> Double {
    let (network, _) = try deployedNetwork()
    let trainer = Trainer(network: network, optimizer: SGD(parameters: network.weightParameters, learningRate: 0))
    let test = try BatchLoader.evaluation(path: configuration.data, split: "test")
    return try trainer.evaluate(test).accuracy
  }
}
