import Testing

@testable import Search

@Suite struct ParetoFrontTests {
  let points = [
    ParetoPoint(name: "λ0", kind: .searched, accuracy: 0.90, cost: 100),
    ParetoPoint(name: "λ1", kind: .searched, accuracy: 0.89, cost: 40),
    ParetoPoint(name: "λ2", kind: .searched, accuracy: 0.85, cost: 10),
    ParetoPoint(name: "λ3", kind: .searched, accuracy: 0.84, cost: 12),  // dominated by λ2
    ParetoPoint(name: "all-digital", kind: .baseline, accuracy: 0.895, cost: 120),
    ParetoPoint(name: "all-analog", kind: .baseline, accuracy: 0.80, cost: 30),
  ]

  @Test func frontKeepsTheNonDominated() {
    #expect(ParetoFront(points: points).front.map(\.name) == ["λ2", "λ1", "λ0"])
  }

  @Test func gainsAtIsoAccuracy() {
    let strict = ParetoFront(points: points)
    #expect(strict.gains.map(\.searched) == ["λ0", "λ2"])
    #expect(strict.gains.map(\.ratio) == [1.2, 3])
    #expect(strict.headline?.baseline == "all-analog" && strict.headline?.ratio == 3)
    // With ε = 1 point, λ1 (0.89) counts as iso-accurate to all-digital (0.895): 3×.
    let tolerant = ParetoFront(points: points, epsilon: 0.01)
    #expect(
      tolerant.gains.first
        == IsoAccuracyGain(baseline: "all-digital", searched: "λ1", ratio: 3, accuracyDelta: 0.89 - 0.895))
    let hopeless = ParetoFront(
      points: [ParetoPoint(name: "b", kind: .baseline, accuracy: 0.99, cost: 1)] + points.prefix(2))
    #expect(hopeless.gains.isEmpty && hopeless.headline == nil)
  }

  /// The DIANA case of the old example report: the weakest baseline (all-digital, dominated
  /// by min-latency) would give the biggest ratio; the headline is drawn against the
  /// strongest baseline instead.
  @Test func headlineIgnoresDominatedBaselines() {
    let front = ParetoFront(points: [
      ParetoPoint(name: "λ=0", kind: .searched, accuracy: 0.770, cost: 200),
      ParetoPoint(name: "λ=3", kind: .searched, accuracy: 0.767, cost: 70),
      ParetoPoint(name: "all-digital", kind: .baseline, accuracy: 0.7658, cost: 220),
      ParetoPoint(name: "min-latency", kind: .baseline, accuracy: 0.7677, cost: 76),
      ParetoPoint(name: "all-analog", kind: .baseline, accuracy: 0.70, cost: 60),
    ])
    #expect(front.dominatingBaseline == ["all-digital": "min-latency"])
    #expect(front.standingBaselines == ["min-latency", "all-analog"])
    // Against all-digital λ=3 would be 3.14×, the old headline; among standing baselines
    // the best is λ=3 against all-analog, and it is a loss (60/70).
    #expect(front.gains.first { $0.baseline == "all-digital" }?.ratio == 220.0 / 70)
    #expect(
      front.headline
        == IsoAccuracyGain(baseline: "all-analog", searched: "λ=3", ratio: 60.0 / 70, accuracyDelta: 0.767 - 0.70))
    #expect(front.unbeaten.isEmpty)
  }

  /// A standing baseline that dominates every searched point is named as not beaten.
  @Test func aBaselineThatDominatesEverySearchedPointIsUnbeaten() {
    let front = ParetoFront(points: [
      ParetoPoint(name: "λ=1", kind: .searched, accuracy: 0.76, cost: 80),
      ParetoPoint(name: "λ=3", kind: .searched, accuracy: 0.75, cost: 77),
      ParetoPoint(name: "min-latency", kind: .baseline, accuracy: 0.7677, cost: 76),
      ParetoPoint(name: "all-digital", kind: .baseline, accuracy: 0.7658, cost: 220),
    ])
    #expect(front.unbeaten == ["min-latency"])
    #expect(front.headline == nil)
  }

}

/// Accuracy noise: Wilson intervals and binomial standard errors against hand computations.
@Suite struct AccuracyStatisticsTests {
  /// Mean, sample deviation and t-interval against a hand computation; the pooled
  /// deviation weights each group by its degrees of freedom; t quantiles against tables.
  @Test func seedStatistics() throws {
    let three = AccuracyStatistics.overSeeds([0.80, 0.82, 0.84])
    #expect(abs(three.mean - 0.82) < 1e-15)
    #expect(abs(try #require(three.deviation) - 0.02) < 1e-15)
    let half = 4.302652730 * 0.02 / 3.0.squareRoot()
    let interval = try #require(three.interval)
    #expect(abs(interval.low - (0.82 - half)) < 1e-12 && abs(interval.high - (0.82 + half)) < 1e-12)
    let one = AccuracyStatistics.overSeeds([0.7])
    #expect(one.mean == 0.7 && one.deviation == nil && one.interval == nil)
    let pooled = try #require(AccuracyStatistics.pooledDeviation([[0.8, 0.82, 0.84], [0.5, 0.6], [0.7]]))
    #expect(abs(pooled - (0.0058 / 3).squareRoot()) < 1e-12)
    #expect(AccuracyStatistics.pooledDeviation([[0.8], [0.7]]) == nil)
    // Student t, 0.975 quantile (R: qt(0.975, df)).
    for (df, t) in [(1, 12.706205), (2, 4.302653), (10, 2.228139), (30, 2.042272), (31, 2.039513), (60, 2.000298)] {
      #expect(abs(AccuracyStatistics.t975(degreesOfFreedom: df) - t) < 2e-4, "df \(df)")
    }
  }

  @Test func wilsonIntervalsMatchTheFormula() {
    // (p + z²/2n)/(1 + z²/n) ± z/(1 + z²/n)·√(p(1 − p)/n + z²/4n²), computed by hand.
    for (p, n, low, high) in [
      (0.77, 10_000, 0.7616490869099386, 0.778143553969896), (0.0, 10, 0.0, 0.2775327998628892),
      (0.5, 100, 0.4038315303659956, 0.5961684696340044),
    ] {
      let interval = AccuracyStatistics.wilson(accuracy: p, images: n)
      #expect(abs(interval.low - low) < 1e-12 && abs(interval.high - high) < 1e-12, "\(p) on \(n)")
    }
  }

  @Test func noiseIsTheLargestBinomialStandardError() {
    #expect(abs(AccuracyStatistics.standardError(accuracy: 0.77, images: 10_000) - 0.004208325082500163) < 1e-15)
    // The accuracy nearest 50 % is the noisiest.
    let noise = AccuracyStatistics.noise(accuracies: [0.9, 0.77, 0.6], images: 10_000)
    #expect(noise == AccuracyStatistics.standardError(accuracy: 0.6, images: 10_000))
    #expect(AccuracyStatistics.noise(accuracies: [], images: 100) == 0)
  }
}
