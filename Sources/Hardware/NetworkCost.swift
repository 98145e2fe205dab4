/// One unit's share of a layer in a cost report.
package struct UnitShare: Sendable, Codable, Equatable {
  package let unit: String
  package let channels: Int
  /// Cycles of this unit, at the SoC clock.
  package let cycles: Double
  /// The operator geometry this unit runs.
  package let geometry: LayerGeometry
}

/// The cost of one layer under a mapping.
package struct LayerCostReport: Sendable, Codable, Equatable {
  package let name: String
  package let outChannels: Int
  package let units: [UnitShare]
  /// The slowest unit's cycles (units run in parallel).
  package let latencyCycles: Double
  /// nil when the SoC has no power data.
  package let energyMicrojoules: Double?
}

/// The figures the published reference code would report for the same mapping: only
/// splittable layers, its softmax-over-raw-cycles "max", formulas charged at zero
/// channels. Kept beside odimo's exact figures so the two can be compared.
package struct ReferenceFigures: Sendable, Codable, Equatable {
  /// How many layers the reference would cost (the splittable ones); 0 means the
  /// reference has no figure for this layout.
  package let splittableLayers: Int
  package let latencyCycles: Double
  package let energyMicrojoules: Double?
}

/// The exact cost of the searchable layers alone (`NetworkPlan.isSearchable`): the
/// figure the ODiMO paper quotes (on Darkside, the 8 MobileNetV1 blocks that keep width
/// and resolution), beside the whole network's.
package struct SearchableSubtotal: Sendable, Codable, Equatable {
  /// How many of the plan's layers it sums.
  package let layers: Int
  package let latencyCycles: Double
  package let energyMicrojoules: Double?
}

/// The cost of a whole network under a mapping: exact figures (hard max per layer,
/// idle units free, every weight layer costed) and the reference-compatible ones.
package struct NetworkCostReport: Sendable, Codable, Equatable {
  package let soc: String
  package let model: String
  package let mapping: String
  package let clockHz: Double
  package let latencyCycles: Double
  package let latencyMilliseconds: Double
  package let energyMicrojoules: Double?
  package let reference: ReferenceFigures
  /// The searchable layers' share of the exact figures.
  package let searchable: SearchableSubtotal
  package let layers: [LayerCostReport]
}

extension NetworkPlan {
  /// Cycles of option `option` of `layer` for `channels` channels, at the SoC clock.
  /// With the corrected convention a unit given no channels is idle and costs nothing.
  package func cycles(layer: Int, option: Int, channels: Dual, convention: CostConvention = .corrected) -> Dual {
    let choice = layers[layer].options[option]
    let unit = soc.units[choice.unit]
    if convention == .corrected && channels.value == 0 { return Dual(0) }
    return unit.cycles.evaluate(choice.geometry, channels: channels, convention: convention)
      * (soc.clockHz / unit.clockHz)
  }

  /// Exact cycles for every channel count 0…outChannels of every option of `layer`.
  func cycleTable(layer: Int) -> [[Double]] {
    layers[layer].options.indices.map { option in
      (0...layers[layer].outChannels).map { cycles(layer: layer, option: option, channels: Dual(Double($0))).value }
    }
  }

  /// Exact figures of `layer` with whole `counts` per option: each option's cycles, the
  /// slowest unit's (latency) and the energy in mW·cycles with idle units free (nil
  /// without power data).
  func exactFigures(layer: Int, counts: [Int]) -> (times: [Double], latency: Double, energy: Double?) {
    let times = counts.indices.map { cycles(layer: layer, option: $0, channels: Dual(Double(counts[$0]))).value }
    let latency = UnitCombination.latency(times)
    let energy = UnitCombination.energy(
      times, latency: CostWithGradient(value: latency, gradient: times.map { _ in 0 }), soc: soc,
      unitIndices: layers[layer].options.map(\.unit), clampIdle: true)
    return (times, latency, energy?.value)
  }

  /// The exact and reference-compatible cost of `mapping`.
  package func cost(of mapping: Mapping) throws -> NetworkCostReport {
    let counts = try channelCounts(mapping)
    var reports: [LayerCostReport] = []
    var referenceLatency = 0.0
    var referenceEnergy: Double? = soc.hasPowerData ? 0 : nil
    for (index, layer) in layers.enumerated() {
      let (times, latency, energy) = exactFigures(layer: index, counts: counts[index])
      let unitIndices = layer.options.map(\.unit)
      reports.append(
        LayerCostReport(
          name: layer.name, outChannels: layer.outChannels,
          units: layer.options.indices.map {
            UnitShare(
              unit: soc.units[layer.options[$0].unit].name, channels: counts[index][$0], cycles: times[$0],
              geometry: layer.options[$0].geometry)
          },
          latencyCycles: latency, energyMicrojoules: energy.map { soc.microjoules(milliwattCycles: $0) }))
      guard layer.isSplittable else { continue }
      let referenceTimes = layer.options.indices.map {
        cycles(layer: index, option: $0, channels: Dual(Double(counts[index][$0])), convention: .reference).value
      }
      let soft = UnitCombination.softLatency(referenceTimes, soc: soc, convention: .reference)
      referenceLatency += soft.value
      if let energy = UnitCombination.energy(
        referenceTimes, latency: soft, soc: soc, unitIndices: unitIndices, clampIdle: false)
      {
        referenceEnergy? += soc.microjoules(milliwattCycles: energy.value)
      }
    }
    let latency = reports.reduce(0.0) { $0 + $1.latencyCycles }
    let energy: Double? = soc.hasPowerData ? reports.reduce(0.0) { $0 + ($1.energyMicrojoules ?? 0) } : nil
    let searchableReports = reports.indices.filter(isSearchable).map { reports[$0] }
    let searchable = SearchableSubtotal(
      layers: searchableReports.count, latencyCycles: searchableReports.reduce(0.0) { $0 + $1.latencyCycles },
      energyMicrojoules: soc.hasPowerData ? searchableReports.reduce(0.0) { $0 + ($1.energyMicrojoules ?? 0) } : nil)
    return NetworkCostReport(
      soc: soc.name, model: architecture.name, mapping: mapping.name, clockHz: soc.clockHz, latencyCycles: latency,
      latencyMilliseconds: soc.milliseconds(cycles: latency), energyMicrojoules: energy,
      reference: ReferenceFigures(
        splittableLayers: layers.filter(\.isSplittable).count, latencyCycles: referenceLatency,
        energyMicrojoules: referenceEnergy), searchable: searchable, layers: reports)
  }

  /// Whether layer `index` is one a search decides: splittable, or — in a layout that
  /// keeps depthwise-separable blocks (`dws`) — part of a block the search would replace
  /// on this SoC. Searchable-layer figures compare across layouts that way.
  package func isSearchable(_ index: Int) -> Bool {
    if layers[index].isSplittable { return true }
    guard !replacesBlocks, soc.mappingStyle == .alternativeOperators else { return false }
    let members = Set(architecture.replaceableBlocks.flatMap { [$0.depthwise, $0.pointwise] })
    return layers[index].modelLayers.contains(where: members.contains)
  }

  /// The differentiable cost of one layer for soft channel counts per option (as the
  /// search sees it): value and gradient in each option's channel count. Latency uses
  /// the convention's smooth max; energy is in mW × cycles.
  package func softCost(layer: Int, channels: [Double], metric: CostMetric, convention: CostConvention = .corrected)
    throws -> CostWithGradient
  {
    let duals = channels.indices.map {
      cycles(layer: layer, option: $0, channels: Dual.variable(channels[$0]), convention: convention)
    }
    let times = duals.map(\.value)
    let latency = UnitCombination.softLatency(times, soc: soc, convention: convention)
    let combined: CostWithGradient
    switch metric {
    case .latency:
      combined = latency
    case .energy:
      guard
        let energy = UnitCombination.energy(
          times, latency: latency, soc: soc, unitIndices: layers[layer].options.map(\.unit),
          clampIdle: convention == .corrected)
      else { throw MappingMismatch(description: "SoC \(soc.name) has no power data, so energy cannot be searched") }
      combined = energy
    }
    return CostWithGradient(value: combined.value, gradient: zip(combined.gradient, duals).map { $0 * $1.derivative })
  }
}
