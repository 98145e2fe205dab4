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
}
