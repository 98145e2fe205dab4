import Engine
import Hardware

/// How one searchable layer's channels are divided among units inside the supernet.
public enum SearchableKind: Sendable, Equatable {
  /// A mixed-format convolution (the layer of that name); alternatives follow the plan's options.
  case sharedWeights(layer: String)
  /// One channel mask per alternative operator (same order as the plan's options); the
  /// first k channels come from the first operator (thermometric order).
  case alternativeOperators(masks: [String])
}

/// A layer of the supernet whose channel split the search learns.
public struct SearchableLayer: Sendable, Equatable {
  /// Index into `Supernet.plan.layers`.
  public let planIndex: Int
  public let name: String
  public let outChannels: Int
  public let kind: SearchableKind
}

/// A zoo model rewritten so that each splittable layer mixes its units' alternatives:
/// mixed-format convolutions for shared-weights SoCs (DIANA), or a standard and a
/// depthwise branch joined by complementary channel masks for alternative-operators SoCs
/// (Darkside). Which layers are searchable comes from the SoC (every layer two or more
/// units can run), minus classifiers (linear layers stay on their first unit: the engine
/// has no mixed linear layer yet).
public struct Supernet: Sendable {
  public let architecture: Architecture
  /// The cost model's view (blocks replaced), whose layer order the mapping follows.
  public let plan: NetworkPlan
  public let searchable: [SearchableLayer]

  /// The weight format a unit computes in, as a fake quantizer (nil: float).
  static func format(of unit: ComputeUnit) -> WeightQuantization? {
    switch unit.weightFormat {
    case .ternary: .ternary
    case .integer(let bits) where bits <= 8: .int8PowerOfTwo
    default: nil
    }
  }

  /// With `replaceBlocks` false the model keeps its depthwise-separable blocks (the
  /// `dws` baseline's layout) and only shared-weights layers are mixed.
  public init(model: Architecture, soc: SoC, replaceBlocks: Bool = true) throws {
    let plan = try NetworkPlan(architecture: model, soc: soc, replaceBlocks: replaceBlocks)
    self.plan = plan
    var planIndexByLayer: [String: Int] = [:]
    for (index, layer) in plan.layers.enumerated() { for name in layer.modelLayers { planIndexByLayer[name] = index } }
    let blocks = plan.replacesBlocks ? model.replaceableBlocks : []
    var builder = ArchitectureBuilder(
      name: "\(model.name)-supernet-\(soc.name)", input: model.inputShape, classes: model.classes)
    var renamed: [String: String] = [Architecture.inputName: Architecture.inputName]
    var searchable: [SearchableLayer] = []
    var skipped: Set<String> = []

    for layer in model.layers {
      if skipped.contains(layer.name) { continue }
      let inputs = layer.inputs.map { renamed[$0] ?? $0 }
      if let block = blocks.first(where: { $0.depthwise == layer.name }),
        let planIndex = planIndexByLayer[layer.name], plan.layers[planIndex].isSplittable,
        case .convolution(let depthwise) = layer.operation
      {
        // The whole depthwise-separable block becomes two masked branches and a sum.
        let members = model.layers.filter { $0.name.hasPrefix(block.name + ".") }
        skipped.formUnion(members.map(\.name))
        let output = members.last?.name ?? layer.name
        var masks: [String] = []
        for option in plan.layers[planIndex].options {
          let isStandard = option.geometry.kind == .convolution
          let branch = "\(block.name).\(isStandard ? "conv" : "dw")"
          var conv = depthwise
          conv.groups = isStandard ? 1 : depthwise.groups
          builder.convBNReLU(branch, conv, from: inputs[0])
          masks.append(builder.add("\(branch).mask", .channelMask))
        }
        renamed[output] = builder.add("\(block.name).add", .add, from: masks)
        searchable.append(
          SearchableLayer(
            planIndex: planIndex, name: block.name, outChannels: plan.layers[planIndex].outChannels,
            kind: .alternativeOperators(masks: masks)))
        continue
      }
      var operation = layer.operation
      if soc.mappingStyle == .sharedWeights, case .convolution(let conv) = layer.operation,
        let planIndex = planIndexByLayer[layer.name], plan.layers[planIndex].isSplittable
      {
        let formats = plan.layers[planIndex].options.map { Self.format(of: soc.units[$0.unit]) }
        operation = .mixedConvolution(conv, formats: formats)
        searchable.append(
          SearchableLayer(
            planIndex: planIndex, name: layer.name, outChannels: conv.outChannels,
            kind: .sharedWeights(layer: layer.name)))
      }
      renamed[layer.name] = builder.add(layer.name, operation, from: inputs)
    }
    architecture = builder.build()
    self.searchable = searchable
  }
}
