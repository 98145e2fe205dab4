/// A trained network as a point of the accuracy–cost plane.
package struct ParetoPoint: Sendable, Codable, Equatable {
  package enum Kind: String, Sendable, Codable { case searched, baseline }
  /// "λ = 1e-07", "all-digital", …
  package var name: String
  package var kind: Kind
  /// Test accuracy, 0–1.
  package var accuracy: Double
  /// Latency (cycles) or energy (µJ) — one metric per front.
  package var cost: Double

  package init(name: String, kind: Kind, accuracy: Double, cost: Double) {
    self.name = name
    self.kind = kind
    self.accuracy = accuracy
    self.cost = cost
  }

  /// Whether self is at least as good on both axes and better on one.
  package func dominates(_ other: ParetoPoint) -> Bool {
    accuracy >= other.accuracy && cost <= other.cost && (accuracy > other.accuracy || cost < other.cost)
  }
}

/// How much cheaper the search made a hand-made mapping's accuracy.
package struct IsoAccuracyGain: Sendable, Codable, Equatable {
  package var baseline: String
  /// The cheapest searched point with accuracy ≥ the baseline's − ε.
  package var searched: String
  /// cost(baseline) / cost(searched): "N× lower".
  package var ratio: Double
  /// accuracy(searched) − accuracy(baseline).
  package var accuracyDelta: Double
}

/// The non-dominated set over (accuracy ↑, cost ↓) and the gains at iso-accuracy.
package struct ParetoFront: Sendable {
  package let points: [ParetoPoint]
  /// Accuracy tolerance of "iso-accuracy" (0–1; 0 means at least as accurate).
  package let epsilon: Double

  package init(points: [ParetoPoint], epsilon: Double = 0) {
    self.points = points
    self.epsilon = epsilon
  }

  /// Points no other point dominates, by increasing cost.
  package var front: [ParetoPoint] {
    points.filter { point in !points.contains { $0.dominates(point) } }.sorted { $0.cost < $1.cost }
  }

  /// For every baseline, the cheapest searched point within ε of its accuracy (none when
  /// no searched point is accurate enough).
  package var gains: [IsoAccuracyGain] {
    let searched = points.filter { $0.kind == .searched }
    return points.filter { $0.kind == .baseline }.compactMap { baseline in
      guard
        let best = searched.filter({ $0.accuracy >= baseline.accuracy - epsilon }).min(by: { $0.cost < $1.cost }),
        best.cost > 0
      else { return nil }
      return IsoAccuracyGain(
        baseline: baseline.name, searched: best.name, ratio: baseline.cost / best.cost,
        accuracyDelta: best.accuracy - baseline.accuracy)
    }
  }

  /// Baselines that no other baseline dominates: the only honest comparisons (a gain
  /// against a dominated baseline is at most a gain against the one that dominates it,
  /// and usually a larger, flattering number).
  package var standingBaselines: [String] {
    let baselines = points.filter { $0.kind == .baseline }
    return baselines.filter { baseline in !baselines.contains { $0.dominates(baseline) } }.map(\.name)
  }

  /// For every baseline, the other baseline that dominates it (the cheapest such one), if any.
  package var dominatingBaseline: [String: String] {
    let baselines = points.filter { $0.kind == .baseline }
    var result: [String: String] = [:]
    for baseline in baselines {
      if let winner = baselines.filter({ $0.dominates(baseline) }).min(by: { $0.cost < $1.cost }) {
        result[baseline.name] = winner.name
      }
    }
    return result
  }

  /// The "up to N×" figure: the largest iso-accuracy gain against a standing baseline.
  package var headline: IsoAccuracyGain? {
    let standing = Set(standingBaselines)
    return gains.filter { standing.contains($0.baseline) }.max { $0.ratio < $1.ratio }
  }

  /// Standing baselines that dominate every searched point: the search did not beat them.
  package var unbeaten: [String] {
    let searched = points.filter { $0.kind == .searched }
    guard !searched.isEmpty else { return [] }
    return standingBaselines.filter { name in
      guard let baseline = points.first(where: { $0.name == name && $0.kind == .baseline }) else { return false }
      return searched.allSatisfy { baseline.dominates($0) }
    }
  }
}
