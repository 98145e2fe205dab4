import Foundation

/// What the search minimises.
package enum CostMetric: String, Sendable, Codable, CaseIterable {
  case latency, energy
}

/// A value and its gradient with respect to each unit's (soft) channel count.
package struct CostWithGradient: Sendable {
  package var value: Double
  package var gradient: [Double]
}

/// Combines unit times into a layer's latency and energy. Times are in SoC-clock
/// cycles; energy is in mW × cycles (convert with `SoC.microjoules`).
enum UnitCombination {
  /// Relative temperature of the corrected smooth max: τ = 0.05 × the largest unit time.
  /// A unit 5 % faster than the slowest then weighs e⁻¹ of it, so units that are
  /// nearly critical still receive gradient, while the value stays within a few percent
  /// of the true maximum whatever the layer's size (a fixed τ is a hard max on large
  /// layers and a mean on small ones).
  static let relativeTemperature = 0.05

  /// Σᵢ pᵢ tᵢ with p = softmax(t/τ), and its gradient in t (τ held constant).
  static func smoothMax(_ times: [Double], temperature: Double) -> CostWithGradient {
    guard let largest = times.max(), temperature > 0 else {
      return CostWithGradient(value: 0, gradient: times.map { _ in 0 })
    }
    let weights = times.map { Foundation.exp(($0 - largest) / temperature) }
    let total = weights.reduce(0.0, +)
    let p = weights.map { $0 / total }
    let value = zip(p, times).map(*).reduce(0.0, +)
    let gradient = zip(p, times).map { pi, ti in pi * (1 + (ti - value) / temperature) }
    return CostWithGradient(value: value, gradient: gradient)
  }

  /// The latency the search sees: corrected (τ relative to the layer) or reference (τ fixed).
  /// The corrected gradient includes τ's own dependence on the slowest unit, so it is
  /// the true gradient of the value.
  static func softLatency(_ times: [Double], soc: SoC, convention: CostConvention) -> CostWithGradient {
    guard convention == .corrected, let largest = times.max(), largest > 0,
      let slowest = times.firstIndex(of: largest)
    else {
      return smoothMax(times, temperature: convention == .reference ? soc.referenceTemperature : 1e-9)
    }
    let temperature = relativeTemperature * largest
    var result = smoothMax(times, temperature: temperature)
    // ∂L/∂τ = −Var_p(t)/τ², with p the softmax weights.
    let weights = times.map { Foundation.exp(($0 - largest) / temperature) }
    let total = weights.reduce(0.0, +)
    let variance = zip(weights, times).map { w, t in w / total * (t - result.value) * (t - result.value) }.reduce(
      0.0, +)
    result.gradient[slowest] += -variance / (temperature * temperature) * relativeTemperature
    return result
  }

  /// Exact layer latency: the slowest unit.
  static func latency(_ times: [Double]) -> Double { times.max() ?? 0 }

  /// Energy of one layer given unit times, with `latency` the layer's (possibly smoothed)
  /// duration; gradient in the unit times.
  static func energy(_ times: [Double], latency: CostWithGradient, soc: SoC, unitIndices: [Int], clampIdle: Bool)
    -> CostWithGradient?
  {
    switch soc.power {
    case .unknown:
      return nil
    case .perUnit(let idle):
      // Σ P_u t_u + P_idle Σ_u (T − t_u)
      var value = 0.0
      var gradient = [Double](repeating: 0, count: times.count)
      for (index, time) in times.enumerated() {
        let power = soc.units[unitIndices[index]].activePowerMilliwatts ?? 0
        value += power * time
        gradient[index] += power
        let waiting = latency.value - time
        if clampIdle && waiting <= 0 { continue }
        value += idle * waiting
        gradient[index] -= idle
        for other in gradient.indices { gradient[other] += idle * latency.gradient[other] }
      }
      return CostWithGradient(value: value, gradient: gradient)
    case .busySets(let table):
      // Sort units by time; between consecutive finishing times the still-busy set draws
      // its power. The result is exact; its gradient is the piecewise one.
      let order = times.indices.sorted { times[$0] < times[$1] }
      var value = 0.0
      var gradient = [Double](repeating: 0, count: times.count)
      var previous = 0.0
      var powers: [Double] = []
      for (rank, index) in order.enumerated() {
        let busy = order[rank...].filter { times[$0] > 0 }.map { unitIndices[$0] }.sorted()
        let power = busy.isEmpty ? 0 : table[busy] ?? 0
        powers.append(power)
        value += power * (times[index] - previous)
        previous = times[index]
      }
      for (rank, index) in order.enumerated() {
        gradient[index] = powers[rank] - (rank + 1 < powers.count ? powers[rank + 1] : 0)
      }
      return CostWithGradient(value: value, gradient: gradient)
    }
  }
}
