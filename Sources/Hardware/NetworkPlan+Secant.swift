/// How the search's cost term passes its gradient to a layer's channel counts.
package enum CostGradient: String, Sendable, Codable, CaseIterable {
  /// The derivative of the smooth cost itself: ⌈ch/N⌉ with slope 1/N, the smooth max of the
  /// unit times. Locally exact, but blind to the steps of the discrete cost: a unit holding
  /// one channel of a 16-channel block is charged 1/16 of the block per channel, although
  /// emptying it would save the whole block.
  case local
  /// The steepest secant from the current (soft) split to a whole split: among the
  /// layer's whole splits, the one whose cost saving per channel moved is largest, and
  /// that rate as the slope. Prices the last channels on a unit at what removing them
  /// saves (a lone digital channel on DIANA: the whole 16-channel block; two channels
  /// past a block boundary: that block), and is zero where no whole split is cheaper.
  case secant
}

/// A split of a layer into whole channels per option, and its exact cost for one metric.
package struct WholeSplit: Sendable, Equatable {
  /// Channels per option, in the plan's option order.
  package let counts: [Int]
  /// Exact cost: cycles (latency) or mW·cycles (energy).
  package let cost: Double
}

extension NetworkPlan {
  /// The exact cost of `layer` with whole `counts` per option: the slowest unit (latency)
  /// or the energy with idle units free, as `cost(of:)` computes it.
  package func exactCost(layer: Int, counts: [Int], metric: CostMetric) -> Double {
    let figures = exactFigures(layer: layer, counts: counts)
    return metric == .energy ? figures.energy ?? figures.latency : figures.latency
  }

  /// The whole splits the secant gradient aims at, with their exact costs. Two options:
  /// every split. More: every single-unit split and the latency-balanced one
  /// (`balancedCounts`).
  package func wholeSplits(layer: Int, metric: CostMetric) -> [WholeSplit] {
    let options = layers[layer].options.count
    let total = layers[layer].outChannels
    var candidates: [[Int]]
    if options == 2 {
      candidates = (0...total).map { [$0, total - $0] }
    } else {
      candidates = (0..<options).map { option in (0..<options).map { $0 == option ? total : 0 } }
      candidates.append(balancedCounts(layer: layer, preferred: nil))
    }
    return candidates.map { WholeSplit(counts: $0, cost: exactCost(layer: layer, counts: $0, metric: metric)) }
  }

  /// The smooth cost of `layer` for soft `channels` (as `softCost`) with the steepest
  /// secant gradient: over `targets`, the n* maximising (cost − cost(n*)) / |n − n*|, and
  /// gradient (cost − cost(n*)) · (n − n*) / |n − n*|², so moving channels straight
  /// towards n* lowers the cost at the average rate the whole move would. "cost" is the
  /// exact cost interpolated between whole splits where `interpolatedCost` applies, else
  /// the smooth one. Zero when no target is cheaper.
  package func secantCost(
    layer: Int, channels: [Double], metric: CostMetric, targets: [WholeSplit], convention: CostConvention = .corrected
  ) throws -> CostWithGradient {
    let soft = try softCost(layer: layer, channels: channels, metric: metric, convention: convention)
    let current = interpolatedCost(channels, targets: targets) ?? soft.value
    var gradient = channels.map { _ in 0.0 }
    var steepest = 0.0
    for target in targets where target.cost < current {
      let offset = zip(channels, target.counts).map { $0 - Double($1) }
      let squaredLength = offset.reduce(0) { $0 + $1 * $1 }
      guard squaredLength > 1e-12 else { continue }
      let rise = current - target.cost
      let rate = rise / squaredLength.squareRoot()
      if rate > steepest {
        steepest = rate
        gradient = offset.map { rise * $0 / squaredLength }
      }
    }
    return CostWithGradient(value: soft.value, gradient: gradient)
  }

  /// For a two-option layer whose `targets` are every whole split: the exact cost
  /// interpolated linearly between the whole splits around the soft count. Unlike the
  /// smooth cost (⌈a/N⌉ is 0 below one channel), a unit holding a fraction of a channel
  /// already pays that fraction of its first block, so the secant resists a layer's first
  /// channel moving onto a unit as much as it pushes its last one off.
  func interpolatedCost(_ channels: [Double], targets: [WholeSplit]) -> Double? {
    guard channels.count == 2, let total = targets.first.map({ $0.counts.reduce(0, +) }), targets.count == total + 1
    else { return nil }
    let first = Swift.min(Swift.max(channels[0], 0), Double(total))
    let below = Int(first.rounded(.down))
    let above = Swift.min(below + 1, total)
    // targets[k] holds k channels on the first option.
    let weight = first - Double(below)
    return (1 - weight) * targets[below].cost + weight * targets[above].cost
  }
}
