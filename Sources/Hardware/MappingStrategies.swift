import Models

/// The hand-made ("manual heuristic") mappings odimo compares searched ones against.
package enum MappingStrategy: Sendable, Equatable {
  /// Every layer that `unit` can run entirely on it; other layers on their first unit.
  case allOn(unit: String)
  /// Per layer, the split minimising the layer's latency; ties go to more channels on
  /// units earlier in `preference` (default: SoC order).
  case balanced
  /// DIANA's heuristic: per layer the latency-minimising split, ties toward more
  /// channels on the highest-precision unit ("max 8-bit").
  case minLatencyMaxPrecision
  /// The model's own depthwise-separable layout (depthwise layers and pointwise layers
  /// each on the unit that runs them), without block replacement.
  case depthwiseSeparable

  /// Parses a mapping name: `all-<unit>`, `balanced`, `min-latency-max8bit`, `dws`.
  package init?(name: String) {
    switch name {
    case "balanced": self = .balanced
    case "min-latency-max8bit": self = .minLatencyMaxPrecision
    case "dws": self = .depthwiseSeparable
    default:
      guard name.hasPrefix("all-"), name.count > 4 else { return nil }
      self = .allOn(unit: String(name.dropFirst(4)))
    }
  }

  /// The names valid for `soc` and a model (`dws` only for models with replaceable blocks).
  package static func names(for soc: SoC, hasReplaceableBlocks: Bool) -> [String] {
    soc.units.map { "all-\($0.name)" } + ["balanced", "min-latency-max8bit"] + (hasReplaceableBlocks ? ["dws"] : [])
  }

  package var name: String {
    switch self {
    case .allOn(let unit): "all-\(unit)"
    case .balanced: "balanced"
    case .minLatencyMaxPrecision: "min-latency-max8bit"
    case .depthwiseSeparable: "dws"
    }
  }
}

extension NetworkPlan {
  /// Builds the plan on which `strategy` is defined (the `dws` layout keeps blocks).
  package static func forStrategy(_ strategy: MappingStrategy, architecture: Architecture, soc: SoC) throws
    -> NetworkPlan
  {
    try NetworkPlan(architecture: architecture, soc: soc, replaceBlocks: strategy != .depthwiseSeparable)
  }

  /// The mapping `strategy` gives on this plan.
  package func mapping(_ strategy: MappingStrategy) throws -> Mapping {
    let firstOnly = { (layer: PlannedLayer) in [layer.outChannels] + [Int](repeating: 0, count: layer.options.count - 1)
    }
    switch strategy {
    case .allOn(let unitName):
      guard let unit = soc.unitIndex(unitName) else {
        throw MappingMismatch(
          description: "SoC \(soc.name) has no unit '\(unitName)'; mappings: "
            + MappingStrategy.names(for: soc, hasReplaceableBlocks: !architecture.replaceableBlocks.isEmpty)
            .joined(separator: ", "))
      }
      guard layers.contains(where: { $0.option(forUnit: unit) != nil }) else {
        throw MappingMismatch(description: "unit \(unitName) of \(soc.name) can run no layer of \(architecture.name)")
      }
      return mapping(
        named: strategy.name,
        counts: layers.map { layer in
          guard let option = layer.options.firstIndex(where: { $0.unit == unit }) else { return firstOnly(layer) }
          return layer.options.indices.map { $0 == option ? layer.outChannels : 0 }
        })
    case .balanced:
      return mapping(named: strategy.name, counts: layers.indices.map { balancedCounts(layer: $0, preferred: nil) })
    case .minLatencyMaxPrecision:
      let precise = soc.units.indices.max { soc.units[$0].weightFormat.bits < soc.units[$1].weightFormat.bits } ?? 0
      return mapping(named: strategy.name, counts: layers.indices.map { balancedCounts(layer: $0, preferred: precise) })
    case .depthwiseSeparable:
      guard !architecture.replaceableBlocks.isEmpty, !replacesBlocks else {
        throw MappingMismatch(
          description:
            "the dws mapping needs a depthwise-separable model (mobilenetv1) planned without block replacement; "
            + "\(architecture.name) has \(architecture.replaceableBlocks.count) replaceable blocks")
      }
      return mapping(named: strategy.name, counts: layers.map(firstOnly))
    }
  }

  /// Channel counts per option minimising max(unit times); among equal latencies the
  /// split with more channels on `preferred` (then on earlier options) wins. Exhaustive
  /// for up to three units; beyond, a threshold search that assumes each unit's time
  /// grows with its channels.
  func balancedCounts(layer index: Int, preferred: Int?) -> [Int] {
    let layer = layers[index]
    let total = layer.outChannels
    let table = cycleTable(layer: index)
    var order = Array(layer.options.indices)
    if let preferred, let position = layer.options.firstIndex(where: { $0.unit == preferred }) {
      order.remove(at: position)
      order.insert(position, at: 0)
    }
    var best = [Int](repeating: 0, count: layer.options.count)
    best[order[0]] = total
    var bestLatency = order.map { table[$0][best[$0]] }.max() ?? 0
    func consider(_ counts: [Int]) {
      let latency = counts.indices.map { table[$0][counts[$0]] }.max() ?? 0
      if latency < bestLatency * (1 - 1e-12) {
        bestLatency = latency
        best = counts
      }
    }
    if order.count <= 3 {
      // Every split, the preferred option's largest counts first (ties keep the first seen).
      func enumerate(_ position: Int, _ remaining: Int, _ counts: inout [Int]) {
        if position == order.count - 1 {
          counts[order[position]] = remaining
          consider(counts)
          return
        }
        for count in stride(from: remaining, through: 0, by: -1) {
          counts[order[position]] = count
          enumerate(position + 1, remaining - count, &counts)
        }
      }
      var counts = best
      enumerate(0, total, &counts)
    } else {
      consider(Self.thresholdCounts(table, order: order, total: total))
    }
    return best
  }

  /// The smallest latency bound whose per-option capacities (channels each option runs
  /// within it, assuming time grows with channels) hold `total`, filled in `order`.
  static func thresholdCounts(_ table: [[Double]], order: [Int], total: Int) -> [Int] {
    let candidates = Set(table.flatMap { $0 }).sorted()
    func capacity(_ limit: Double) -> [Int] {
      order.map { option in table[option].lastIndex { $0 <= limit } ?? 0 }
    }
    var low = 0
    var high = candidates.count - 1
    while low < high {
      let middle = (low + high) / 2
      if capacity(candidates[middle]).reduce(0, +) >= total { high = middle } else { low = middle + 1 }
    }
    var remaining = total
    var counts = [Int](repeating: 0, count: table.count)
    for (position, option) in order.enumerated() {
      let take = min(remaining, capacity(candidates[low])[position])
      counts[option] = take
      remaining -= take
    }
    return counts
  }
}
