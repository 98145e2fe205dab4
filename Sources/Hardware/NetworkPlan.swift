import Models

/// One layer as the cost models see it: which units can compute its output channels and
/// with which operator geometry each of them would.
package struct PlannedLayer: Sendable {
  /// One unit's way of producing some of the layer's output channels.
  package struct Option: Sendable {
    package let unit: Int
    package let geometry: LayerGeometry
  }

  /// The layer's name (for a replaced depthwise-separable block, the block's name).
  package let name: String
  package let outChannels: Int
  /// At least one option; the units are distinct and in SoC order.
  package let options: [Option]
  /// The model layers this planned layer stands for.
  package let modelLayers: [String]

  /// Whether the search can split this layer (two or more units can run it).
  package var isSplittable: Bool { options.count > 1 }

  /// The option of unit `unit`, if it can run this layer.
  package func option(forUnit unit: Int) -> Option? { options.first { $0.unit == unit } }
}

/// A layer no unit of the SoC can run.
package struct UnmappableLayer: Error, CustomStringConvertible, Sendable {
  package let layer: String
  package let geometry: LayerGeometry
  package let soc: String
  package let units: [String]

  package var description: String {
    "layer \(layer) (\(geometry)) cannot run on SoC \(soc): none of its units (\(units.joined(separator: ", "))) "
      + "runs \(geometry.kind.rawValue) layers"
      + (geometry.kind == .linear ? "" : " with a \(geometry.kX)×\(geometry.kY) kernel")
  }
}

/// The list of layers a cost model charges for a model on an SoC.
package struct NetworkPlan: Sendable {
  package let soc: SoC
  package let architecture: Architecture
  /// Whether replaceable depthwise-separable blocks are searchable layers (the supernet
  /// layout) or kept as the model's own depthwise + pointwise pair.
  package let replacesBlocks: Bool
  package let layers: [PlannedLayer]

  /// Plans `architecture` on `soc`. With the alternative-operators style and
  /// `replaceBlocks`, each replaceable block becomes one layer whose channels come from
  /// a standard convolution on units that run those or a depthwise one on units that
  /// run depthwise layers. Every other weight layer can be run by each unit that
  /// supports its operator. Throws `UnmappableLayer` if some layer has no unit.
  package init(architecture: Architecture, soc: SoC, replaceBlocks: Bool = true) throws {
    self.soc = soc
    self.architecture = architecture
    let substitute = replaceBlocks && soc.mappingStyle == .alternativeOperators
    self.replacesBlocks = substitute && !architecture.replaceableBlocks.isEmpty
    var byDepthwise: [String: ReplaceableBlock] = [:]
    var skipped: Set<String> = []
    if substitute {
      for block in architecture.replaceableBlocks {
        byDepthwise[block.depthwise] = block
        skipped.insert(block.pointwise)
      }
    }
    var planned: [PlannedLayer] = []
    for layer in architecture.weightLayers where !skipped.contains(layer.name) {
      guard let geometry = LayerGeometry(layer) else { continue }
      if let block = byDepthwise[layer.name] {
        var standard = geometry
        standard.kind = .convolution
        standard.groups = 1
        let options = soc.units.indices.compactMap { unit -> PlannedLayer.Option? in
          if soc.units[unit].runs(standard) { return PlannedLayer.Option(unit: unit, geometry: standard) }
          if soc.units[unit].runs(geometry) { return PlannedLayer.Option(unit: unit, geometry: geometry) }
          return nil
        }
        guard !options.isEmpty else {
          throw UnmappableLayer(layer: block.name, geometry: geometry, soc: soc.name, units: soc.units.map(\.name))
        }
        planned.append(
          PlannedLayer(
            name: block.name, outChannels: geometry.cOut, options: options,
            modelLayers: [block.depthwise, block.pointwise]))
      } else {
        let options = soc.units.indices.filter { soc.units[$0].runs(geometry) }.map {
          PlannedLayer.Option(unit: $0, geometry: geometry)
        }
        guard !options.isEmpty else {
          throw UnmappableLayer(layer: layer.name, geometry: geometry, soc: soc.name, units: soc.units.map(\.name))
        }
        planned.append(
          PlannedLayer(name: layer.name, outChannels: geometry.cOut, options: options, modelLayers: [layer.name]))
      }
    }
    self.layers = planned
  }
}
