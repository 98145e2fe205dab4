import Engine
import Hardware
import Models

/// How one searchable layer's channels are divided among units inside the supernet.
package enum SearchableKind: Sendable, Equatable {
  /// A mixed-format convolution (the layer of that name); alternatives follow the plan's options.
  case sharedWeights(layer: String)
  /// One channel mask per alternative operator (same order as the plan's options); the
  /// first k channels come from the first operator (thermometric order).
  case alternativeOperators(masks: [String])
}

/// A layer of the supernet whose channel split the search learns.
package struct SearchableLayer: Sendable, Equatable {
  /// Index into `Supernet.plan.layers`.
  package let planIndex: Int
  package let name: String
  package let outChannels: Int
  package let kind: SearchableKind
}

/// A zoo model rewritten so that each splittable layer mixes its units' alternatives.
///
/// Shared-weights SoCs (DIANA) get the reference's quantized supernet: every
/// convolution–batch-norm pair folded into one convolution with a bias (so weights are
/// quantized as the hardware holds them, after folding), each splittable one — the
/// classifier included, as a 1×1 convolution — a mixed-format convolution, and every
/// ReLU replaced by a PACT quantizer with the units' activation bits (the ReLU's clip at 0
/// is PACT's lower bound), which puts one before every convolution fed by an activation
/// and one after every residual add. Alternative-operators SoCs (Darkside) get a standard
/// and a depthwise branch per replaceable block, joined by complementary channel masks.
package struct Supernet: Sendable {
  package let architecture: Architecture
  /// The model the supernet was built from (the float network a float warmup trains).
  package let model: Architecture
  /// The cost model's view (blocks replaced), whose layer order the mapping follows.
  package let plan: NetworkPlan
  package let searchable: [SearchableLayer]
  /// Convolution–batch-norm pairs folded into one convolution (empty unless folding).
  package let foldedBatchNorms: [(convolution: String, batchNorm: String)]
  /// Linear layers rebuilt as 1×1 convolutions (same weights, same bytes).
  package let linearAsConvolution: [String]

  /// The weight format a unit computes in, as a fake quantizer (nil: float).
  static func format(of unit: ComputeUnit) -> WeightQuantization? {
    switch unit.weightFormat {
    case .ternary: .ternary
    case .integer(let bits) where bits <= 8: .int8PowerOfTwo
    default: nil
    }
  }

  /// With `replaceBlocks` false the model keeps its depthwise-separable blocks (the
  /// `dws` baseline's layout) and only shared-weights layers are mixed. `foldBatchNorm`
  /// (shared-weights SoCs) builds the folded, PACT-quantized supernet described above;
  /// without it batch norm stays and activations are float (the random-split warmup's network).
  package init(model: Architecture, soc: SoC, replaceBlocks: Bool = true, foldBatchNorm: Bool = false) throws {
    let plan = try NetworkPlan(architecture: model, soc: soc, replaceBlocks: replaceBlocks)
    self.plan = plan
    self.model = model
    var rewriter = SupernetRewriter(model: model, soc: soc, plan: plan, fold: foldBatchNorm)
    try rewriter.rewrite()
    architecture = rewriter.builder.build()
    searchable = rewriter.searchable
    foldedBatchNorms = rewriter.folded
    linearAsConvolution = rewriter.linearAsConvolution
  }

  /// The supernet's weights from the float model's (a float warmup): each folded pair's
  /// w' = w·γ/√(σ² + ε), b' = (b − μ)·γ/√(σ² + ε) + β; linear layers' weights as 1×1
  /// convolutions'. Names the supernet has and the float model lacks (logits, PACT clips,
  /// ternary scales) are absent: they keep their initial values.
  package func weights(fromFloat float: [String: [Float]]) throws -> [String: [Float]] {
    func value(_ name: String) throws -> [Float] {
      guard let values = float[name] else {
        throw SearchError.weightsDoNotFit(
          source: "the float model", network: architecture.name, dataset: "its warmup", classes: model.classes,
          detail: "no \(name)")
      }
      return values
    }
    var weights: [String: [Float]] = [:]
    let foldedNames = Set(foldedBatchNorms.map(\.batchNorm))
    for (name, values) in float {
      let layer = name.split(separator: ".").dropLast().joined(separator: ".")
      if !foldedNames.contains(layer) { weights[name] = values }
    }
    for (convolution, batchNorm) in foldedBatchNorms {
      let folded = FakeQuantization.foldBatchNorm(
        weight: try value("\(convolution).weight"), bias: float["\(convolution).bias"],
        gamma: try value("\(batchNorm).weight"), beta: try value("\(batchNorm).bias"),
        mean: try value("\(batchNorm).running_mean"), variance: try value("\(batchNorm).running_var"))
      weights["\(convolution).weight"] = folded.weight
      weights["\(convolution).bias"] = folded.bias
    }
    return weights
  }
}

/// Walks a model's layers once, emitting the supernet's (see `Supernet`).
private struct SupernetRewriter {
  let model: Architecture
  let soc: SoC
  let plan: NetworkPlan
  let fold: Bool
  var builder: ArchitectureBuilder
  var searchable: [SearchableLayer] = []
  var folded: [(convolution: String, batchNorm: String)] = []
  var linearAsConvolution: [String] = []
  /// Model layer name → the supernet layer that now produces its output.
  private var renamed: [String: String] = [Architecture.inputName: Architecture.inputName]
  private var skipped: Set<String> = []
  private var planIndexByLayer: [String: Int] = [:]
  private let consumers: [String: [Layer]]
  private let activationBits: Int?

  init(model: Architecture, soc: SoC, plan: NetworkPlan, fold: Bool) {
    self.model = model
    self.soc = soc
    self.plan = plan
    self.fold = fold && soc.mappingStyle == .sharedWeights
    builder = ArchitectureBuilder(
      name: "\(model.name)-supernet-\(soc.name)", input: model.inputShape, classes: model.classes)
    for (index, layer) in plan.layers.enumerated() { for name in layer.modelLayers { planIndexByLayer[name] = index } }
    var consumers: [String: [Layer]] = [:]
    for layer in model.layers { for input in layer.inputs { consumers[input, default: []].append(layer) } }
    self.consumers = consumers
    // The narrowest unsigned activation format of the units (7 bits on DIANA).
    activationBits = soc.units.compactMap { unit -> Int? in
      if case .unsigned(let bits) = unit.activationFormat { return bits }
      return nil
    }.min()
  }

  mutating func rewrite() throws {
    let blocks = plan.replacesBlocks ? model.replaceableBlocks : []
    for layer in model.layers where !skipped.contains(layer.name) {
      let inputs = layer.inputs.map { renamed[$0] ?? $0 }
      if let block = blocks.first(where: { $0.depthwise == layer.name }), let planIndex = planIndexByLayer[layer.name],
        plan.layers[planIndex].isSplittable, case .convolution(let depthwise) = layer.operation
      {
        replace(block, depthwise: depthwise, planIndex: planIndex, input: inputs[0])
        continue
      }
      switch layer.operation {
      case .convolution(let conv) where soc.mappingStyle == .sharedWeights:
        emitConvolution(layer, conv, inputs: inputs)
      case .flatten where fold && (consumers[layer.name] ?? []).allSatisfy(isMixedLinear):
        // The pooled N×C×1×1 features feed the classifier's 1×1 convolution directly.
        renamed[layer.name] = inputs[0]
      case .linear(let out, let bias) where fold && isMixedLinear(layer):
        // The classifier as a 1×1 convolution (same weights, same bytes), so it can be
        // mixed like every other layer; a flatten after it gives N×classes logits.
        linearAsConvolution.append(layer.name)
        emitConvolution(layer, Convolution(outChannels: out, kernel: 1, padding: 0, bias: bias), inputs: inputs)
        renamed[layer.name] = builder.add("\(layer.name).flatten", .flatten, from: [layer.name])
      case .relu where fold && activationBits != nil, .relu6 where fold && activationBits != nil:
        renamed[layer.name] = builder.add(layer.name, .activationQuantizer(bits: activationBits ?? 8), from: inputs)
      default:
        renamed[layer.name] = builder.add(layer.name, layer.operation, from: inputs)
      }
    }
  }

  /// A linear layer on pooled (1×1) features that the search splits.
  private func isMixedLinear(_ layer: Layer) -> Bool {
    guard case .linear = layer.operation, let index = planIndexByLayer[layer.name] else { return false }
    return plan.layers[index].isSplittable && layer.inputShape.elementCount == layer.inputShape.channels
  }

  /// A convolution of a shared-weights SoC: mixed if splittable, quantized in its one
  /// unit's format otherwise; with folding, its batch norm folded into a bias.
  private mutating func emitConvolution(_ layer: Layer, _ conv: Convolution, inputs: [String]) {
    var conv = conv
    let name = layer.name
    if fold, let only = consumers[layer.name], only.count == 1, only[0].operation == .batchNorm {
      conv.bias = true
      folded.append((layer.name, only[0].name))
      skipped.insert(only[0].name)
      renamed[only[0].name] = name
    }
    guard let planIndex = planIndexByLayer[layer.name] else {
      renamed[layer.name] = builder.add(name, .convolution(conv), from: inputs)
      return
    }
    let units = plan.layers[planIndex].options.map { soc.units[$0.unit] }
    if plan.layers[planIndex].isSplittable {
      renamed[layer.name] = builder.add(
        name, .mixedConvolution(conv, formats: units.map(Supernet.format(of:))), from: inputs)
      searchable.append(
        SearchableLayer(
          planIndex: planIndex, name: layer.name, outChannels: conv.outChannels, kind: .sharedWeights(layer: name)))
    } else {
      if fold { conv.weightQuantization = units.first.flatMap(Supernet.format(of:)) }
      renamed[layer.name] = builder.add(name, .convolution(conv), from: inputs)
    }
  }

  /// A whole depthwise-separable block becomes two masked branches and a sum.
  private mutating func replace(_ block: ReplaceableBlock, depthwise: Convolution, planIndex: Int, input: String) {
    let members = model.layers.filter { $0.name.hasPrefix(block.name + ".") }
    skipped.formUnion(members.map(\.name))
    let output = members.last?.name ?? block.depthwise
    var masks: [String] = []
    for option in plan.layers[planIndex].options {
      let isStandard = option.geometry.kind == .convolution
      let branch = "\(block.name).\(isStandard ? "conv" : "dw")"
      var conv = depthwise
      conv.groups = isStandard ? 1 : depthwise.groups
      builder.convBNReLU(branch, conv, from: input)
      masks.append(builder.add("\(branch).mask", .channelMask))
    }
    renamed[output] = builder.add("\(block.name).add", .add, from: masks)
    searchable.append(
      SearchableLayer(
        planIndex: planIndex, name: block.name, outChannels: plan.layers[planIndex].outChannels,
        kind: .alternativeOperators(masks: masks)))
  }
}
