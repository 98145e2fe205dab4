import Datasets
import Engine
import Foundation
import Models
import Search
import Support

extension Experiment {
  /// Loads sweep folders (their points, `baselines/`, reference, manifest and the sweeps of
  /// other seeds in `seed-*` sub-folders) and run files; every run must be complete and
  /// the runs may differ in λ and seed only.
  /// `epsilon` nil: the accuracy noise (`noise`), or 0 when the dataset cannot be read.
  /// `partial` reports a sweep still running: its unfinished runs are listed, not read.
  package static func load(_ sources: [String], epsilon: Double? = 0, partial: Bool = false) throws -> Experiment {
    guard !sources.isEmpty else { throw ReportError.noSources }
    if let epsilon {
      guard epsilon >= 0, epsilon < 1, epsilon.isFinite else {
        throw InvalidOption("--epsilon", value: epsilon * 100, expected: "0 ≤ ε < 100 accuracy points")
      }
    }
    var found = Found(partial: partial)
    // A sweep folder brings the sweeps of its other seeds (DIR/seed-*) with it.
    let expanded = sources.flatMap { [$0] + Sweep.seedFolders(in: $0) }
    for source in expanded {
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: source, isDirectory: &isFolder) else {
        throw ReportError.missingSource(source)
      }
      if isFolder.boolValue {
        try found.addSweep(source, isFirst: source == expanded.first)
      } else {
        found.add(try RunFile.read(source))
      }
    }
    try found.check(sources)
    var experiment = Experiment(
      points: found.runs.filter { $0.baseline == nil }, baselines: found.runs.filter { $0.baseline != nil },
      reference: found.reference, warmupTrace: found.warmupTrace,
      commit: found.commits.isEmpty ? "unknown" : found.commits.joined(separator: ", "), epsilon: epsilon ?? 0)
    experiment.testImages = try? DatasetFile(path: found.runs[0].configuration.data).split("test").count
    experiment.unfinished = found.unfinished
    experiment.sweeps = found.sweeps
    experiment.sources = sources.map(absolute)
    experiment.diverged = found.diverged
    // The base sweep's merged summary (points, fronts, gains as the sweep computed them) goes with the report.
    experiment.sweepSummary = expanded.map { SweepFolder($0).summary }.first {
      FileManager.default.fileExists(atPath: $0)
    }
    if epsilon == nil { experiment.epsilon = experiment.noise ?? 0 }
    return experiment
  }

  /// `path` made absolute against the working directory: the folders a report's commands name.
  fileprivate static func absolute(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.path }

  /// What the sources of a report hold, gathered source by source.
  private struct Found {
    let partial: Bool
    var runs: [RunFile] = []
    var reference: FloatReference.Summary?
    var commits: [String] = []
    var diverged: [DivergedRun] = []
    var warmupTrace: [TraceRow] = []
    var unfinished: [String] = []
    var sweeps: [(folder: String, manifest: Sweep.Manifest)] = []

    init(partial: Bool) { self.partial = partial }

    /// A sweep folder's points, baselines, reference and warmup.
    mutating func addSweep(_ source: String, isFirst: Bool) throws {
      let folder = SweepFolder(source)
      let manifest = try folder.readManifest()
      sweeps.append((Experiment.absolute(source), manifest))
      if !commits.contains(manifest.gitCommit) { commits.append(manifest.gitCommit) }
      let seed = manifest.configuration.seed
      // Unfinished runs of another seed's folder say which seed.
      let tag = isFirst ? "" : " (seed \(seed))"
      for lambda in manifest.allLambdas.sorted() {
        try addRun(folder.point(lambda), name: "λ=\(RunFile.format(lambda))", seed: seed, tag: tag)
      }
      if partial {
        for name in manifest.baselines where !FileManager.default.fileExists(atPath: folder.baseline(name)) {
          unfinished.append(name + tag)
        }
        if try manifest.reference && FloatReference.read(folder: source) == nil {
          unfinished.append("float reference" + tag)
        }
      }
      let baselineFolder = folder.baselines
      for file in ((try? FileManager.default.contentsOfDirectory(atPath: baselineFolder)) ?? []).sorted()
      where file.hasSuffix(".h5") {
        try addRun(baselineFolder + "/" + file, name: String(file.dropLast(3)), seed: seed, tag: tag)
      }
      // The first folder's reference and warmup (the base seed's) stand for the report.
      if reference == nil, var summary = try FloatReference.read(folder: source) {
        // The checkpoint lives in the sweep folder, wherever the sweep was run from.
        summary.checkpoint = folder.referenceCheckpoint
        reference = summary
      }
      if warmupTrace.isEmpty, let warmup = try? RunFile.read(folder.warmup) { warmupTrace = warmup.trace }
    }

    /// One run file of a sweep: read, or listed as diverged or (partial reports) unfinished.
    mutating func addRun(_ path: String, name: String, seed: UInt64, tag: String) throws {
      if let run = DivergedRun(path: path, name: name, seed: seed) {
        diverged.append(run)
      } else if partial && !Sweep.isComplete(path) {
        unfinished.append(name + tag)
      } else {
        add(try RunFile.read(path))
      }
    }

    /// A run and the commits it came from: a sweep continued by a newer build (points re-run
    /// after a method change, a run resumed by another build) names every one.
    mutating func add(_ run: RunFile) {
      for commit in run.provenance?.commits ?? [] where !commits.contains(commit) { commits.append(commit) }
      runs.append(run)
    }

    /// Refuses an empty experiment, runs that differ in more than λ and seed, and a run given
    /// twice. The cost gradient and the metric only shape a cost term: λ = 0 runs and
    /// baselines, which have none, join searched points of any; searched points must agree.
    func check(_ sources: [String]) throws {
      guard let first = runs.first?.configuration else {
        throw ReportError.nothingToReport(sources)
      }
      // Anything else (preset, width, dataset, metric…) would make accuracies or costs incomparable.
      func shared(_ configuration: SearchConfiguration) -> String {
        var common = configuration
        common.lambda = 0
        common.seed = 0
        common.costGradient = .local
        common.metric = .latency
        return String(decoding: (try? JSONEncoder.sorted.encode(common)) ?? Data(), as: UTF8.self)
      }
      for run in runs where shared(run.configuration) != shared(first) {
        throw ReportError.incomparableRuns(
          run.path, runs[0].path,
          differences: configurationDifferences(saved: shared(first), now: shared(run.configuration)))
      }
      let searched = runs.filter { $0.configuration.lambda > 0 }
      for run in searched {
        let (theirs, mine) = (searched[0].configuration, run.configuration)
        let differences = [
          theirs.costGradient == mine.costGradient
            ? nil : "cost_gradient: \(theirs.costGradient.rawValue), now \(mine.costGradient.rawValue)",
          theirs.metric == mine.metric ? nil : "metric: \(theirs.metric.rawValue), now \(mine.metric.rawValue)",
        ].compactMap { $0 }
        guard differences.isEmpty else {
          throw ReportError.incomparableRuns(
            run.path, searched[0].path, differences: differences.joined(separator: "; "))
        }
      }
      var seen: Set<String> = []
      for run in runs where !seen.insert("\(run.name) seed \(run.configuration.seed)").inserted {
        throw ReportError.duplicateRun(file: run.path, name: run.name, seed: run.configuration.seed)
      }
    }
  }
}
