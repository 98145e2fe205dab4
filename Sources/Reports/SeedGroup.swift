import Foundation
import Hardware
import Search

/// The runs of one point ("λ=0.1", "all-digital") that differ only in seed: what a report's
/// fronts, gains and headline compare, by mean accuracy and mean cost. With one seed the
/// means are that run's figures, so single-seed reports read as before.
struct SeedGroup: Sendable {
  /// One run's figures.
  struct Member: Sendable {
    var seed: UInt64
    /// Test accuracy, 0–1.
    var accuracy: Double
    var latencyCycles: Double
    /// Latency of the layers the search maps alone (the figure the ODiMO paper quotes).
    var searchableLatencyCycles: Double
    var energyMicrojoules: Double?

    func cost(_ metric: CostMetric) -> Double {
      metric == .latency ? latencyCycles : energyMicrojoules ?? .nan
    }
  }

  let name: String
  let kind: ParetoPoint.Kind
  /// In seed order.
  let members: [Member]

  var seeds: [UInt64] { members.map(\.seed) }
  var accuracy: Double { AccuracyStatistics.overSeeds(members.map(\.accuracy)).mean }
  /// Mean over seeds (searched points of different seeds may have different mappings).
  func cost(_ metric: CostMetric) -> Double { members.map { $0.cost(metric) }.reduce(0, +) / Double(members.count) }
  /// Mean searchable-layer latency over seeds, in cycles.
  var searchableLatencyCycles: Double {
    members.map(\.searchableLatencyCycles).reduce(0, +) / Double(members.count)
  }

  /// baseline's / searched's searchable-layer latency (nil when the searched one has none).
  static func searchableRatio(_ baseline: SeedGroup, _ searched: SeedGroup) -> Double? {
    searched.searchableLatencyCycles > 0 ? baseline.searchableLatencyCycles / searched.searchableLatencyCycles : nil
  }

  /// Groups runs by name, keeping the order names first appear in.
  static func grouping(_ runs: [(name: String, kind: ParetoPoint.Kind, member: Member)]) -> [SeedGroup] {
    var order: [String] = []
    var byName: [String: (kind: ParetoPoint.Kind, members: [Member])] = [:]
    for run in runs {
      if byName[run.name] == nil {
        order.append(run.name)
        byName[run.name] = (run.kind, [])
      }
      byName[run.name]?.members.append(run.member)
    }
    return order.compactMap { name in
      byName[name].map { SeedGroup(name: name, kind: $0.kind, members: $0.members.sorted { $0.seed < $1.seed }) }
    }
  }

  /// The Pareto analysis of `metric` over the groups' means.
  static func front(_ groups: [SeedGroup], _ metric: CostMetric, epsilon: Double) -> ParetoFront {
    ParetoFront(
      points: groups.map { ParetoPoint(name: $0.name, kind: $0.kind, accuracy: $0.accuracy, cost: $0.cost(metric)) },
      epsilon: epsilon)
  }

  /// The accuracy noise (0–1), the default ε: the larger of the largest binomial standard
  /// error of a run's test accuracy on `images` test images and the seed-to-seed standard
  /// deviation pooled over every point run with several seeds.
  static func noise(_ groups: [SeedGroup], images: Int) -> Double {
    let binomial = AccuracyStatistics.noise(accuracies: groups.flatMap { $0.members.map(\.accuracy) }, images: images)
    return max(binomial, seedDeviation(groups) ?? 0)
  }

  /// The pooled seed-to-seed deviation, nil when no point has two seeds.
  static func seedDeviation(_ groups: [SeedGroup]) -> Double? {
    AccuracyStatistics.pooledDeviation(groups.map { $0.members.map(\.accuracy) })
  }

  /// Whether any point was run with more than one seed (the report then adds its
  /// across-seeds table and error bars).
  static func hasSeeds(_ groups: [SeedGroup]) -> Bool { groups.contains { $0.members.count > 1 } }
}
