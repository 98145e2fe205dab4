import Engine
import Foundation
import HDF5
import Hardware
import Models
import Support

/// The `odimo-run` file (search runs, sweep points, baselines): the one type that knows
/// its attribute and group names, for writing and for reading. Layout: `datasets/FORMATS.md`.
enum RunFileFormat {
  static let name = "odimo-run"
  /// 2: the `architecture` attribute and weights in their real shapes (1: flat weights).
  static let version: Int64 = 2

  /// Root attribute names.
  enum Key: String {
    case format
    case formatVersion = "format_version"
    case soc
    case model
    case metric
    case lambda
    case lambdaScale = "lambda_scale"
    case costScale = "cost_scale"
    case seed
    case preset
    case kind
    case baseline
    case configuration
    case complete
    case weightsOf = "weights_of"
    case initialSplit = "initial_split"
    case warmup
    case validationSplit = "validation_split"
    case testAccuracy = "test_accuracy"
    case latencyCycles = "latency_cycles"
    case latencyMilliseconds = "latency_ms"
    case searchableLatencyCycles = "searchable_latency_cycles"
    case energyMicrojoules = "energy_uj"
    case traceJSON = "trace_json"
    case datasetPath = "dataset_path"
    case datasetSHA256 = "dataset_sha256"
    case socDescription = "soc_description"
    case odimoVersion = "odimo_version"
    case odimoCommit = "odimo_commit"
    case odimoResumedBy = "odimo_resumed_by"
    case diverged
    case architecture
  }

  static let weightsGroup = "weights"

  /// Everything a run file says about its run, as written after every epoch.
  struct Contents {
    var configuration: SearchConfiguration
    var baseline: MappingStrategy?
    /// What the cost was divided by before λ multiplied it.
    var costScale: Double
    var trace: [TraceRow]
    var mapping: Mapping
    /// "supernet", or "float-model" while a float warmup is being trained.
    var weightsOf: String
    /// The tested accuracy (0–1) and cost, once the run is complete.
    var result: (accuracy: Double, cost: NetworkCostReport)?
    var provenance: RunProvenance
    /// The network the weights belong to (the supernet, or the float model during a float warmup).
    var architecture: Architecture
  }

  /// Writes `contents`, `weights` and (unfinished runs) the optimizers' `state` atomically.
  /// `shapes` gives each weight's real shape (PyTorch's); weights without one are stored flat.
  static func write(
    _ path: String, _ contents: Contents, weights: [String: [Float]], shapes: [String: [Int]],
    state: ResumeState.Optimizers?
  ) throws {
    try SafeWrite.hdf5(path) { file in
      // The same encoder `ResumeState` compares the configuration with.
      let encoder = JSONEncoder.sorted
      let configuration = contents.configuration
      func set(_ key: Key, _ value: AttributeValue) throws { try file.setAttribute(key.rawValue, value) }
      try set(.format, .string(name))
      try set(.formatVersion, .int(version))
      try set(.soc, .string(configuration.soc))
      try set(.model, .string(configuration.model))
      try set(.metric, .string(configuration.metric.rawValue))
      try set(.lambda, .double(configuration.lambda))
      try set(.lambdaScale, .string(configuration.lambdaScale))
      try set(.costScale, .double(contents.costScale))
      try set(.seed, .int(Int64(bitPattern: configuration.seed)))
      try set(.preset, .string(configuration.preset.name))
      try set(.kind, .string(contents.baseline == nil ? "searched" : "baseline"))
      if let baseline = contents.baseline { try set(.baseline, .string(baseline.name)) }
      try set(.configuration, .string(String(decoding: try encoder.encode(configuration), as: UTF8.self)))
      try set(.complete, .int(contents.result == nil ? 0 : 1))
      try set(.weightsOf, .string(contents.weightsOf))
      try set(.initialSplit, .string(configuration.initialSplit))
      try set(.warmup, .string(configuration.warmup.rawValue))
      try set(.validationSplit, .string("val"))
      let provenance = contents.provenance
      try set(.datasetPath, .string(provenance.datasetPath))
      try set(.datasetSHA256, .string(provenance.datasetSHA256))
      try set(.socDescription, .string(provenance.socDescription))
      try set(.odimoVersion, .string(provenance.version))
      try set(.odimoCommit, .string(provenance.commit))
      if !provenance.resumedBy.isEmpty { try set(.odimoResumedBy, .strings(provenance.resumedBy)) }
      if let (accuracy, cost) = contents.result {
        try set(.testAccuracy, .double(accuracy))
        try set(.latencyCycles, .double(cost.latencyCycles))
        try set(.latencyMilliseconds, .double(cost.latencyMilliseconds))
        try set(.searchableLatencyCycles, .double(cost.searchable.latencyCycles))
        if let energy = cost.energyMicrojoules { try set(.energyMicrojoules, .double(energy)) }
      }
      try writeTrace(contents.trace, to: file)
      try contents.mapping.write(to: file)
      try set(
        .architecture, .string(String(decoding: try encoder.encode(contents.architecture), as: UTF8.self)))
      for (name, values) in weights.sorted(by: { $0.key < $1.key }) {
        let shape = shapes[name].flatMap { $0.reduce(1, *) == values.count ? $0 : nil } ?? [values.count]
        try file.write(values, to: "\(weightsGroup)/\(name)", shape: shape, options: .archived())
      }
      try set(.traceJSON, .string(String(decoding: try encoder.encode(contents.trace), as: UTF8.self)))
      // Only an unfinished run needs the optimizers' state; a finished file keeps one copy of the weights.
      try state?.write(to: file)
    }
  }

  /// The trace as one column per quantity (for h5py readers) and the channels per unit.
  private static func writeTrace(_ trace: [TraceRow], to file: HDF5File) throws {
    let columns: [(String, (TraceRow) -> Double)] = [
      ("phase", { Double($0.phase.rawValue) }), ("epoch", { Double($0.epoch) }), ("train_loss", \.trainLoss),
      ("train_accuracy", \.trainAccuracy), ("validation_loss", \.validationLoss),
      ("validation_accuracy", \.validationAccuracy), ("lambda", \.lambda), ("soft_cost", \.softCost),
      ("latency_cycles", \.latencyCycles), ("energy_uj", { $0.energyMicrojoules ?? .nan }),
      ("temperature", \.temperature), ("learning_rate", \.learningRate),
    ]
    for (column, value) in columns {
      try file.write(trace.map(value), to: "trace/\(column)", options: .archived(extendable: true))
    }
    let layers = trace.first?.channels.count ?? 0
    // Layers that cannot use every unit (a linear layer on an SoC with a convolution-only
    // unit) have shorter rows: zero-padded to the widest.
    let units = trace.flatMap { $0.channels.map(\.count) }.max() ?? 0
    let channels = trace.flatMap { row in
      row.channels.flatMap { $0.map(Int64.init) + [Int64](repeating: 0, count: units - $0.count) }
    }
    try file.write(
      channels, to: "trace/channels", shape: [trace.count, layers, units], options: .archived(extendable: true))
  }

  /// The provenance attributes, or nil in files written before they existed.
  static func provenance(_ file: HDF5File, path: String) throws -> RunProvenance? {
    guard let datasetPath = try optionalString(.datasetPath, in: file) else { return nil }
    func text(_ key: Key) throws -> String {
      guard let value = try optionalString(key, in: file) else {
        throw SearchError.runFile(file: path, problem: .attribute(key.rawValue))
      }
      return value
    }
    var resumedBy: [String] = []
    let resumers = Key.odimoResumedBy.rawValue
    if file.hasAttribute(resumers) {
      guard let commits = try file.attribute(resumers).stringsValue else {
        throw SearchError.runFile(file: path, problem: .unreadable(attribute: resumers, detail: "expected strings"))
      }
      resumedBy = commits
    }
    return RunProvenance(
      datasetPath: datasetPath, datasetSHA256: try text(.datasetSHA256), socDescription: try text(.socDescription),
      version: try text(.odimoVersion), commit: try text(.odimoCommit), resumedBy: resumedBy)
  }

  /// Opens `path` as a run file, refusing anything else with its name.
  static func open(_ path: String) throws -> HDF5File {
    guard FileManager.default.fileExists(atPath: path) else { throw SearchError.runFile(file: path, problem: .missing) }
    let file = try HDF5File.open(path)
    guard file.hasAttribute(Key.format.rawValue), try file.attribute(Key.format.rawValue).stringValue == name else {
      file.close()
      throw SearchError.runFile(file: path, problem: .notARunFile)
    }
    return file
  }

  /// Marks the run file at `path` as diverged — `what` says where — keeping everything it
  /// holds (the last complete epoch). A diverged run is finished: sweeps do not retry it,
  /// reports and audits name it instead of printing its numbers.
  static func markDiverged(_ path: String, _ what: String) throws {
    try SafeWrite.amendHDF5(path) { file in try file.setAttribute(Key.diverged.rawValue, .string(what)) }
  }

  /// The divergence note of the run file at `path` (nil: not diverged, or unreadable).
  static func divergence(_ path: String) -> String? {
    guard let file = try? open(path) else { return nil }
    defer { file.close() }
    return try? optionalString(.diverged, in: file)
  }

  /// Whether `path` is a run file of a finished run (false for anything unreadable).
  static func isComplete(_ path: String) -> Bool {
    guard let file = try? open(path) else { return false }
    defer { file.close() }
    return (try? file.attribute(Key.complete.rawValue).intValue) == 1
  }

  /// The `complete` flag of an open run file.
  static func isComplete(_ file: HDF5File) throws -> Bool { try file.attribute(Key.complete.rawValue).intValue == 1 }

  /// The configuration text exactly as stored (resume compares it with the current one).
  static func configurationText(_ file: HDF5File) throws -> String {
    try file.attribute(Key.configuration.rawValue).stringValue ?? ""
  }

  /// The configuration and trace of an open run file.
  static func configurationAndTrace(_ file: HDF5File, path: String) throws -> (SearchConfiguration, [TraceRow]) {
    let decoder = JSONDecoder.snakeCase
    do {
      let configuration = try decoder.decode(SearchConfiguration.self, from: Data(try configurationText(file).utf8))
      let trace = try decoder.decode(
        [TraceRow].self, from: Data((try file.attribute(Key.traceJSON.rawValue).stringValue ?? "[]").utf8))
      return (configuration, trace)
    } catch let error as DecodingError {
      throw SearchError.runFile(
        file: path, problem: .unreadable(attribute: "configuration or trace_json", detail: "\(error)"))
    }
  }

  /// A finite number attribute, or an error naming it.
  static func number(_ key: Key, in file: HDF5File, path: String) throws -> Double {
    guard file.hasAttribute(key.rawValue), let value = try file.attribute(key.rawValue).doubleValue, value.isFinite
    else { throw SearchError.runFile(file: path, problem: .attribute(key.rawValue)) }
    return value
  }

  /// A number attribute that older files may lack.
  static func optionalNumber(_ key: Key, in file: HDF5File, path: String) throws -> Double? {
    file.hasAttribute(key.rawValue) ? try number(key, in: file, path: path) : nil
  }

  /// A string attribute that older files may lack.
  static func optionalString(_ key: Key, in file: HDF5File) throws -> String? {
    file.hasAttribute(key.rawValue) ? try file.attribute(key.rawValue).stringValue : nil
  }

  /// Every array of a group (`weights`, or a `state/…` group), by name; empty if absent.
  static func arrays(_ file: HDF5File, _ group: String) throws -> [String: [Float]] {
    guard file.contains(group) else { return [:] }
    var values: [String: [Float]] = [:]
    for name in try file.children(of: group) { values[name] = try file.read("\(group)/\(name)", as: Float.self) }
    return values
  }

  /// The stored weights of the run file at `path`.
  static func weights(_ path: String) throws -> [String: [Float]] {
    let file = try open(path)
    defer { file.close() }
    return try arrays(file, weightsGroup)
  }
}
