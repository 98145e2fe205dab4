import Datasets
import Engine
import Foundation
import Hardware
import Models
import Search

/// Everything a report describes: the searched points and hand-made baselines of one SoC
/// and model (from a sweep folder or run files), the float reference if trained, and the
/// Pareto analysis over them.
package struct Experiment: Sendable {
  package var points: [RunFile]
  package var baselines: [RunFile]
  package var reference: FloatReference.Summary?
  /// The shared warmup's trace of a sweep (its points' run files start after it).
  package var warmupTrace: [TraceRow]
  /// The sweep's git commit ("unknown" for loose run files).
  package var commit: String
  /// Iso-accuracy tolerance, 0–1.
  package var epsilon: Double
  /// Runs a sweep's manifest lists that were not finished when the experiment was loaded
  /// with `partial` ("λ=0.3", "all-dwe", "reference"); empty for a finished sweep.
  package var unfinished: [String] = []
  /// Runs that stopped at a non-finite loss: named by the report, never given numbers.
  package var diverged: [DivergedRun] = []
  /// Images of the dataset's test split (nil when the dataset cannot be read): the n of
  /// every accuracy's binomial interval.
  package var testImages: Int?
  /// The `sweep.json` of the first sweep folder reported on, if it has one.
  package var sweepSummary: String?
  /// The sweep folders reported on (seed folders after their base), with their manifests:
  /// what the report's "Reproduce" section asks for again.
  package var sweeps: [(folder: String, manifest: Sweep.Manifest)] = []
  /// The sweep folders and run files the report was asked for, as absolute paths.
  package var sources: [String] = []

  /// The accuracy noise (0–1): the larger of the largest binomial standard error of the
  /// runs' test accuracies and the pooled seed-to-seed deviation (`SeedGroup.noise`); nil
  /// without `testImages`.
  package var noise: Double? { testImages.map { SeedGroup.noise(groups, images: $0) } }

  /// Every point and baseline with its runs of all seeds, points first (by λ), then baselines.
  var groups: [SeedGroup] {
    SeedGroup.grouping(
      (points + baselines).map { run in
        (
          run.name, run.baseline == nil ? .searched : .baseline,
          SeedGroup.Member(
            seed: run.configuration.seed, accuracy: run.testAccuracy, latencyCycles: run.latencyCycles,
            searchableLatencyCycles: run.searchableLatencyCycles, energyMicrojoules: run.energyMicrojoules)
        )
      })
  }

  /// The seeds of the runs, ascending.
  package var seeds: [UInt64] { Array(Set((points + baselines).map(\.configuration.seed))).sorted() }

  /// The configuration the runs share (the first point searched with a cost term's, else the
  /// first point's or baseline's: only searched points fix the cost gradient and metric).
  package var configuration: SearchConfiguration { (Self.describing(points + baselines) ?? baselines[0]).configuration }

  /// What λ's cost was divided by (`costScale(_:)`).
  package var costScale: Double? { Self.costScale(points + baselines) }

  /// The run whose configuration a report's setup describes: the first point searched with
  /// a cost term (λ > 0), which alone fix the cost gradient and metric — λ = 0 runs and
  /// baselines may come from a sweep of the other metric — else the first run. The report
  /// and the audit both use it.
  static func describing(_ runs: [RunFile]) -> RunFile? {
    runs.first { $0.baseline == nil && $0.configuration.lambda > 0 } ?? runs.first
  }

  /// What λ's cost was divided by: the describing run's figure, else the first one recorded.
  static func costScale(_ runs: [RunFile]) -> Double? {
    describing(runs)?.costScale ?? runs.compactMap(\.costScale).first
  }

  /// Cost metrics the runs carry: latency always, energy when every run has it.
  package var metrics: [CostMetric] {
    (points + baselines).allSatisfy { $0.energyMicrojoules != nil } ? [.latency, .energy] : [.latency]
  }

  package static func cost(_ run: RunFile, _ metric: CostMetric) -> Double {
    metric == .latency ? run.latencyCycles : run.energyMicrojoules ?? .nan
  }

  /// The Pareto analysis of `metric` over every point and baseline (means over seeds).
  package func front(_ metric: CostMetric) -> ParetoFront { SeedGroup.front(groups, metric, epsilon: epsilon) }

  package init(
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

}

/// A run of the experiment that diverged: its name, seed, file and where it diverged.
package struct DivergedRun: Sendable, Equatable {
  package var name: String
  package var seed: UInt64
  package var path: String
  /// "epoch 7 (search): train loss nan, …", as the run file records it.
  package var detail: String

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
