import Datasets
import Engine
import Foundation
import Hardware
import Search

/// Everything a report describes: the searched points and hand-made baselines of one SoC
/// and model (from a sweep folder or run files), the float reference if trained, and the
/// Pareto analysis over them.
public struct Experiment: Sendable {
  public var points: [RunFile]
  public var baselines: [RunFile]
  public var reference: FloatReference.Summary?
  /// The shared warmup's trace of a sweep (its points' run files start after it).
  public var warmupTrace: [TraceRow]
  /// The sweep's git commit ("unknown" for loose run files).
  public var commit: String
  /// Iso-accuracy tolerance, 0–1.
  public var epsilon: Double
  /// Runs a sweep's manifest lists that were not finished when the experiment was loaded
  /// with `partial` ("λ=0.3", "all-dwe", "reference"); empty for a finished sweep.
  public var unfinished: [String] = []
  /// Runs that stopped at a non-finite loss: named by the report, never given numbers.
  public var diverged: [DivergedRun] = []
  /// Images of the dataset's test split (nil when the dataset cannot be read): the n of
  /// every accuracy's binomial interval.
  public var testImages: Int?

  /// The accuracy noise (0–1): the larger of the largest binomial standard error of the
  /// runs' test accuracies and the pooled seed-to-seed deviation (`SeedGroup.noise`); nil
  /// without `testImages`.
  public var noise: Double? { testImages.map { SeedGroup.noise(groups, images: $0) } }

  /// Every point and baseline with its runs of all seeds, points first (by λ), then baselines.
  var groups: [SeedGroup] {
    SeedGroup.grouping(
      (points + baselines).map { run in
        (
          run.name, run.baseline == nil ? .searched : .baseline,
          SeedGroup.Member(
            seed: run.configuration.seed, accuracy: run.testAccuracy, latencyCycles: run.latencyCycles,
            energyMicrojoules: run.energyMicrojoules)
        )
      })
  }

  /// The seeds of the runs, ascending.
  public var seeds: [UInt64] { Array(Set((points + baselines).map(\.configuration.seed))).sorted() }

  /// The configuration every run shares (the first searched point's, else the first baseline's).
  public var configuration: SearchConfiguration { (points.first ?? baselines[0]).configuration }

  /// What λ's cost was divided by (the first run that records it).
  public var costScale: Double? { (points + baselines).compactMap(\.costScale).first }

  /// Cost metrics the runs carry: latency always, energy when every run has it.
  public var metrics: [CostMetric] {
    (points + baselines).allSatisfy { $0.energyMicrojoules != nil } ? [.latency, .energy] : [.latency]
  }

  public static func cost(_ run: RunFile, _ metric: CostMetric) -> Double {
    metric == .latency ? run.latencyCycles : run.energyMicrojoules ?? .nan
  }

  /// The Pareto analysis of `metric` over every point and baseline (means over seeds).
  public func front(_ metric: CostMetric) -> ParetoFront { SeedGroup.front(groups, metric, epsilon: epsilon) }

  public init(
    points: [RunFile], baselines: [RunFile], reference: FloatReference.Summary?, warmupTrace: [TraceRow] = [],
    commit: String, epsilon: Double
  ) {
    self.warmupTrace = warmupTrace
    self.points = points.sorted {
      ($0.configuration.lambda, $0.configuration.seed) < ($1.configuration.lambda, $1.configuration.seed)
    }
    self.baselines = baselines.sorted { ($0.name, $0.configuration.seed) < ($1.name, $1.configuration.seed) }
    self.reference = reference
    self.commit = commit
    self.epsilon = epsilon
  }

  /// Loads sweep folders (their points, `baselines/`, reference, manifest and the sweeps of
  /// other seeds in `seed-*` sub-folders) and run files; every run must be complete and
  /// the runs may differ in λ and seed only.
  /// `epsilon` nil: the accuracy noise (`noise`), or 0 when the dataset cannot be read.
  /// `partial` reports a sweep still running: its unfinished runs are listed, not read.
  public static func load(_ sources: [String], epsilon: Double? = 0, partial: Bool = false) throws -> Experiment {
    guard !sources.isEmpty else { throw ReportError("give a sweep folder or run files to report on") }
    if let epsilon {
      guard epsilon >= 0, epsilon < 1, epsilon.isFinite else {
        throw ReportError("--epsilon must be between 0 and 100 accuracy points, got \(epsilon * 100)")
      }
    }
    var runs: [RunFile] = []
    var reference: FloatReference.Summary?
    var commits: [String] = []
    var diverged: [DivergedRun] = []
    var warmupTrace: [TraceRow] = []
    var unfinished: [String] = []
    // A sweep folder brings the sweeps of its other seeds (DIR/seed-*) with it.
    let expanded = sources.flatMap { [$0] + Sweep.seedFolders(in: $0) }
    for source in expanded {
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: source, isDirectory: &isFolder) else {
        throw ReportError("\(source): no such sweep folder or run file")
      }
      if isFolder.boolValue {
        guard let data = FileManager.default.contents(atPath: source + "/manifest.json") else {
          throw ReportError("\(source): no manifest.json; is this a sweep folder written by odimo sweep?")
        }
        let manifest = try JSONDecoder.snakeCase.decode(Sweep.Manifest.self, from: data)
        if !commits.contains(manifest.gitCommit) { commits.append(manifest.gitCommit) }
        // Unfinished runs of another seed's folder say which seed.
        let tag = source == expanded.first ? "" : " (seed \(manifest.configuration.seed))"
        for lambda in manifest.allLambdas.sorted() {
          let path = source + "/" + Sweep.runName(lambda)
          if let found = DivergedRun(path: path, name: "λ=\(RunFile.format(lambda))", seed: manifest.configuration.seed)
          {
            diverged.append(found)
            continue
          }
          if partial && !Sweep.isComplete(path) {
            unfinished.append("λ=\(RunFile.format(lambda))" + tag)
            continue
          }
          runs.append(try RunFile.read(path))
        }
        if partial {
          for name in manifest.baselines where !Sweep.isComplete(source + "/baselines/" + name + ".h5") {
            unfinished.append(name + tag)
          }
          if try manifest.reference && FloatReference.read(folder: source) == nil {
            unfinished.append("float reference" + tag)
          }
        }
        let baselineFolder = source + "/baselines"
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: baselineFolder)) ?? []).sorted()
        where file.hasSuffix(".h5") && !(partial && !Sweep.isComplete(baselineFolder + "/" + file)) {
          let path = baselineFolder + "/" + file
          if let found = DivergedRun(
            path: path, name: String(file.dropLast(3)), seed: manifest.configuration.seed)
          {
            diverged.append(found)
            continue
          }
          runs.append(try RunFile.read(path))
        }
        // The first folder's reference and warmup (the base seed's) stand for the report.
        if reference == nil, var found = try FloatReference.read(folder: source) {
          // The checkpoint lives in the sweep folder, wherever the sweep was run from.
          found.checkpoint = source + "/" + FloatReference.checkpointName
          reference = found
        }
        if warmupTrace.isEmpty, let warmup = try? RunFile.read(source + "/warmup.h5") { warmupTrace = warmup.trace }
      } else {
        runs.append(try RunFile.read(source))
      }
    }
    guard !runs.isEmpty else { throw ReportError("nothing to report: no complete run was found in \(sources)") }
    let first = runs[0].configuration
    // One report compares runs that differ in λ and seed only: anything else (preset,
    // width, dataset, metric…) would make the accuracies or costs incomparable.
    func shared(_ configuration: SearchConfiguration) -> String {
      var common = configuration
      common.lambda = 0
      common.seed = 0
      return String(decoding: (try? JSONEncoder.sorted.encode(common)) ?? Data(), as: UTF8.self)
    }
    for run in runs where shared(run.configuration) != shared(first) {
      throw ReportError(
        "\(run.path) and \(runs[0].path) differ in more than λ and seed "
          + "(\(configurationDifferences(saved: shared(first), now: shared(run.configuration)))); "
          + "one report compares runs of one configuration")
    }
    // Two runs of the same point and seed (a folder given twice) would count twice.
    var seen: Set<String> = []
    for run in runs where !seen.insert("\(run.name) seed \(run.configuration.seed)").inserted {
      throw ReportError("\(run.path): \(run.name) with seed \(run.configuration.seed) is given twice")
    }
    var experiment = Experiment(
      points: runs.filter { $0.baseline == nil }, baselines: runs.filter { $0.baseline != nil }, reference: reference,
      warmupTrace: warmupTrace, commit: commits.isEmpty ? "unknown" : commits.joined(separator: ", "),
      epsilon: epsilon ?? 0)
    experiment.testImages = try? DatasetFile(path: first.data).split("test").count
    experiment.unfinished = unfinished
    experiment.diverged = diverged
    if epsilon == nil { experiment.epsilon = experiment.noise ?? 0 }
    return experiment
  }
}

/// A run of the experiment that diverged: its name, seed, file and where it diverged.
public struct DivergedRun: Sendable, Equatable {
  public var name: String
  public var seed: UInt64
  public var path: String
  /// "epoch 7 (search): train loss nan, …", as the run file records it.
  public var detail: String

  /// The diverged run at `path`, or nil if the file is not a diverged run.
  init?(path: String, name: String, seed: UInt64) {
    guard let detail = RunFile.divergence(path) else { return nil }
    self.init(name: name, seed: seed, path: path, detail: detail)
  }

  init(name: String, seed: UInt64, path: String, detail: String) {
    self.name = name
    self.seed = seed
    self.path = path
    self.detail = detail
  }
}
