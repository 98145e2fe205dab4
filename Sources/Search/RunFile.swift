import Datasets
import Engine
import Foundation
import HDF5
import Hardware

/// A finished run file (`odimo search`, a sweep point or a baseline) read back: what it
/// claims, and the means to check those claims from its weights and mapping.
public struct RunFile: Sendable {
  public let path: String
  public let configuration: SearchConfiguration
  /// The hand-made mapping's name for baselines; nil for searched runs.
  public let baseline: String?
  public let testAccuracy: Double
  public let latencyCycles: Double
  public let latencyMilliseconds: Double
  public let energyMicrojoules: Double?
  /// The searchable layers' latency (the paper's convention), recomputed from the mapping.
  public let searchableLatencyCycles: Double
  /// What λ's cost was divided by (nil in files that predate the attribute).
  public let costScale: Double?
  public let mapping: Mapping
  public let trace: [TraceRow]

  /// "λ=<λ>" for searched runs, the mapping's name for baselines.
  public var name: String { baseline ?? "λ=\(Self.format(configuration.lambda))" }

  /// λ without a trailing ".0" (0.3, 1, 10).
  public static func format(_ lambda: Double) -> String {
    lambda == lambda.rounded() && abs(lambda) < 1e15 ? String(Int64(lambda)) : "\(lambda)"
  }

  /// Reads a complete run file; refuses other files and interrupted runs.
  public static func read(_ path: String) throws -> RunFile {
    guard FileManager.default.fileExists(atPath: path) else { throw EngineError("\(path): no such run file") }
    let file = try HDF5File.open(path)
    defer { file.close() }
    guard file.hasAttribute("format"), try file.attribute("format").stringValue == SearchRun.formatName else {
      throw EngineError("\(path): not an odimo run file (format attribute is not '\(SearchRun.formatName)')")
    }
    guard try file.attribute("complete").intValue == 1 else {
      throw EngineError("\(path): the run is not complete (interrupted); resume it with odimo search --resume")
    }
    let decoder = JSONDecoder.snakeCase
    let configuration: SearchConfiguration
    let trace: [TraceRow]
    do {
      configuration = try decoder.decode(
        SearchConfiguration.self, from: Data((try file.attribute("configuration").stringValue ?? "").utf8))
      trace = try decoder.decode(
        [TraceRow].self, from: Data((try file.attribute("trace_json").stringValue ?? "[]").utf8))
    } catch let error as DecodingError {
      throw EngineError("\(path): the configuration or trace_json attribute is not what odimo writes (\(error))")
    }
    func number(_ name: String) throws -> Double {
      guard file.hasAttribute(name), let value = try file.attribute(name).doubleValue, value.isFinite else {
        throw EngineError("\(path): attribute \(name) is missing or not a finite number")
      }
      return value
    }
    let mapping = try Mapping.read(from: file)
    // Files that predate the attribute: recomputed (which needs the dataset for the model's geometry).
    let searchable =
      file.hasAttribute("searchable_latency_cycles")
      ? try number("searchable_latency_cycles")
      : try Self.cost(of: mapping, configuration: configuration).searchable.latencyCycles
    return RunFile(
      path: path, configuration: configuration,
      baseline: file.hasAttribute("baseline") ? try file.attribute("baseline").stringValue : nil,
      testAccuracy: try number("test_accuracy"), latencyCycles: try number("latency_cycles"),
      latencyMilliseconds: try number("latency_ms"),
      energyMicrojoules: file.hasAttribute("energy_uj") ? try number("energy_uj") : nil,
      searchableLatencyCycles: searchable,
      costScale: file.hasAttribute("cost_scale") ? try file.attribute("cost_scale").doubleValue : nil,
      mapping: mapping, trace: trace)
  }

  /// The cost of `mapping` under the model and SoC of `configuration`.
  static func cost(of mapping: Mapping, configuration: SearchConfiguration) throws -> NetworkCostReport {
    let soc = try SoCCatalogue.soc(configuration.soc)
    let model = try configuration.makeModel(for: try DatasetFile(path: configuration.data))
    let plan = try NetworkPlan(architecture: model, soc: soc, replaceBlocks: mapping.replacesBlocks)
    return try plan.cost(of: mapping)
  }

  /// The SoC, dataset and model the run was configured with.
  private func context() throws -> (SoC, DatasetFile, Architecture) {
    let soc = try SoCCatalogue.soc(configuration.soc)
    let dataset = try DatasetFile(path: configuration.data)
    return (soc, dataset, try configuration.makeModel(for: dataset))
  }

  /// The cost of the stored mapping, recomputed by the cost model.
  public func recomputedCost() throws -> NetworkCostReport { try Self.cost(of: mapping, configuration: configuration) }

  /// Test accuracy recomputed from the stored weights under the stored mapping (the
  /// same evaluation the run ended with, so an untouched file gives the same number).
  public func recomputedAccuracy() throws -> Double {
    let (soc, dataset, model) = try context()
    let supernet = try Supernet(
      model: model, soc: soc, replaceBlocks: mapping.replacesBlocks,
      foldBatchNorm: configuration.foldsBatchNorm(on: soc))
    let network = Network(supernet.architecture, seed: configuration.seed)
    let weights = try Sweep.readWeights(path)
    do { try network.restore(weights) } catch {
      throw EngineError(
        "\(path): its weights do not fit \(model.name) for \(configuration.data) (\(dataset.classNames.count) classes): \(error)"
      )
    }
    let objective = try SearchObjective(
      supernet: supernet, network: network, metric: .latency, lambda: 0, initialSplit: configuration.initialSplit)
    try SearchRun.fix(objective, network, to: mapping)
    objective.prepare()
    let trainer = Trainer(network: network, optimizer: SGD(parameters: network.weightParameters, learningRate: 0))
    let test = try BatchLoader.evaluation(path: configuration.data, split: "test")
    return try trainer.evaluate(test).accuracy
  }
}
