/// Which output channels each unit computes, for every layer of a `NetworkPlan`. One
/// value type written by the search, read by `odimo cost network`, the baselines and the
/// reports.
package struct Mapping: Sendable, Equatable, Codable {
  /// Where a mapping came from: a named heuristic or a search run.
  package var name: String
  package var soc: String
  package var model: String
  /// Unit names; `LayerAssignment.units` index into this list.
  package var units: [String]
  /// Whether the model's replaceable depthwise-separable blocks are single searchable
  /// layers (true) or kept as depthwise + pointwise (false, the "dws" layout).
  package var replacesBlocks: Bool
  package var layers: [LayerAssignment]

  package init(
    name: String, soc: String, model: String, units: [String], replacesBlocks: Bool, layers: [LayerAssignment]
  ) {
    self.name = name
    self.soc = soc
    self.model = model
    self.units = units
    self.replacesBlocks = replacesBlocks
    self.layers = layers
  }

  /// The assignment of layer `name`.
  package func layer(_ name: String) -> LayerAssignment? { layers.first { $0.name == name } }
}

/// One layer's split: for each output channel, the unit that computes it.
package struct LayerAssignment: Sendable, Equatable, Codable {
  package var name: String
  /// `units[c]` is the index (into `Mapping.units`) of the unit computing channel c.
  package var units: [Int]

  package init(name: String, units: [Int]) {
    self.name = name
    self.units = units
  }

  /// Contiguous assignment: the first `counts[0]` channels to unit `order[0]`, and so on.
  package init(name: String, counts: [Int], units order: [Int]) {
    self.name = name
    self.units = zip(order, counts).flatMap { unit, count in [Int](repeating: unit, count: count) }
  }

  /// How many channels unit `unit` computes.
  package func channels(ofUnit unit: Int) -> Int { units.reduce(0) { $0 + ($1 == unit ? 1 : 0) } }

  /// The channel order a deployment uses: each unit's channels together, units in index
  /// order, original order kept within a unit. `permutation[i]` is the original index
  /// of deployed channel i; the next layer's input channels must be permuted alike.
  package var permutation: [Int] {
    units.indices.sorted { units[$0] != units[$1] ? units[$0] < units[$1] : $0 < $1 }
  }
}

/// A mapping that does not fit the plan it is applied to.
package struct MappingMismatch: Error, CustomStringConvertible, Sendable {
  package let description: String

  package init(description: String) { self.description = description }
}

extension NetworkPlan {
  /// Channels per option (in `PlannedLayer.options` order) for each layer, after
  /// checking that `mapping` fits this plan: same SoC units, every layer present with the
  /// right width, and every channel on a unit that can run the layer.
  package func channelCounts(_ mapping: Mapping) throws -> [[Int]] {
    guard mapping.replacesBlocks == replacesBlocks else {
      throw MappingMismatch(
        description:
          "mapping '\(mapping.name)' uses the \(mapping.replacesBlocks ? "supernet" : "model's own") layout, "
          + "this plan the \(replacesBlocks ? "supernet" : "model's own") one")
    }
    let unitMap = try mapping.units.map { name -> Int in
      guard let index = soc.unitIndex(name) else {
        throw MappingMismatch(
          description: "mapping '\(mapping.name)' names unit '\(name)', which SoC \(soc.name) does not have "
            + "(units: \(soc.units.map(\.name).joined(separator: ", ")))")
      }
      return index
    }
    let known = Set(layers.map(\.name))
    if let extra = mapping.layers.first(where: { !known.contains($0.name) }) {
      throw MappingMismatch(
        description:
          "mapping '\(mapping.name)' has layer '\(extra.name)', which \(architecture.name) on \(soc.name) lacks")
    }
    return try layers.map { layer in
      guard let assignment = mapping.layer(layer.name) else {
        throw MappingMismatch(description: "mapping '\(mapping.name)' has no entry for layer \(layer.name)")
      }
      guard assignment.units.count == layer.outChannels else {
        throw MappingMismatch(
          description: "mapping '\(mapping.name)' assigns \(assignment.units.count) channels of layer \(layer.name), "
            + "which has \(layer.outChannels)")
      }
      var counts = [Int](repeating: 0, count: layer.options.count)
      for unitIndex in assignment.units {
        guard unitIndex >= 0, unitIndex < unitMap.count,
          let option = layer.options.firstIndex(where: { $0.unit == unitMap[unitIndex] })
        else {
          let unitName = unitIndex >= 0 && unitIndex < mapping.units.count ? mapping.units[unitIndex] : "#\(unitIndex)"
          throw MappingMismatch(
            description: "mapping '\(mapping.name)' puts channels of layer \(layer.name) on unit \(unitName), "
              + "which cannot run it")
        }
        counts[option] += 1
      }
      return counts
    }
  }

  /// A mapping from channel counts per option, channels assigned contiguously in
  /// option order (the thermometric order of the alternative-operators supernet).
  package func mapping(named name: String, counts: [[Int]]) -> Mapping {
    Mapping(
      name: name, soc: soc.name, model: architecture.name, units: soc.units.map(\.name), replacesBlocks: replacesBlocks,
      layers: zip(layers, counts).map { layer, counts in
        LayerAssignment(name: layer.name, counts: counts, units: layer.options.map(\.unit))
      })
  }
}
