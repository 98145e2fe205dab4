/// How the search's cost term passes its gradient to a layer's channel counts.
package enum CostGradient: String, Sendable, Codable, CaseIterable {
  /// The derivative of the smooth cost itself: ⌈ch/N⌉ with slope 1/N, the smooth max of the
  /// unit times. Locally exact, but blind to the steps of the discrete cost: a unit holding
  /// one channel of a 16-channel block is charged 1/16 of the block per channel, although
  /// emptying it would save the whole block.
  case local
  /// The secant from the current (soft) split to the layer's cheapest whole split: the
  /// cost the layer would save there, spread over the channels that would move. Prices
  /// the last channels on a unit at what removing them saves (a lone digital channel on
  /// DIANA: the whole block), and is zero in a layer already at its cheapest split.
  case secant
}

/// A layer's cheapest split into whole channels for one metric, and its exact cost.
package struct CheapestSplit: Sendable, Equatable {
  /// Channels per option, in the plan's option order.
  package let counts: [Int]
  /// Exact cost: cycles (latency) or mW·cycles (energy).
  package let cost: Double
}

extension NetworkPlan {
  /// The exact cost of `layer` with whole `counts` per option: the slowest unit (latency)
  /// or the energy with idle units free, as `cost(of:)` computes it.
  package func exactCost(layer: Int, counts: [Int], metric: CostMetric) -> Double {
    let times = counts.indices.map { cycles(layer: layer, option: $0, channels: Dual(Double(counts[$0]))).value }
    let latency = UnitCombination.latency(times)
    guard metric == .energy else { return latency }
    let energy = UnitCombination.energy(
      times, latency: CostWithGradient(value: latency, gradient: times.map { _ in 0 }), soc: soc,
      unitIndices: layers[layer].options.map(\.unit), clampIdle: true)
    return energy?.value ?? latency
  }

  /// The layer's cheapest whole split. Two options: every split is tried. More: every
  /// single-unit split and the latency-balanced one (`balancedCounts`) are tried.
  package func cheapestSplit(layer: Int, metric: CostMetric) -> CheapestSplit {
    let options = layers[layer].options.count
    let total = layers[layer].outChannels
    var candidates: [[Int]]
    if options == 2 {
      candidates = (0...total).map { [$0, total - $0] }
    } else {
      candidates = (0..<options).map { option in (0..<options).map { $0 == option ? total : 0 } }
      candidates.append(balancedCounts(layer: layer, preferred: nil))
    }
    var best = CheapestSplit(
      counts: candidates[0], cost: exactCost(layer: layer, counts: candidates[0], metric: metric))
    for counts in candidates.dropFirst() {
      let cost = exactCost(layer: layer, counts: counts, metric: metric)
      if cost < best.cost { best = CheapestSplit(counts: counts, cost: cost) }
    }
    return best
  }

  /// The smooth cost of `layer` for soft `channels` (as `softCost`) with the secant
  /// gradient towards `target`: (cost − target.cost) · (n − n*) / |n − n*|², so moving
  /// channels straight towards n* lowers the cost at the average rate the whole move
  /// would. Zero when the split is already no dearer than the target.
  package func secantCost(layer: Int, channels: [Double], metric: CostMetric, towards target: CheapestSplit)
    throws -> CostWithGradient
  {
    let soft = try softCost(layer: layer, channels: channels, metric: metric)
    let offset = zip(channels, target.counts).map { $0 - Double($1) }
    let squaredLength = offset.reduce(0) { $0 + $1 * $1 }
    let rise = soft.value - target.cost
    guard squaredLength > 1e-12, rise > 0 else {
      return CostWithGradient(value: soft.value, gradient: channels.map { _ in 0 })
    }
    return CostWithGradient(value: soft.value, gradient: offset.map { rise * $0 / squaredLength })
  }
}
