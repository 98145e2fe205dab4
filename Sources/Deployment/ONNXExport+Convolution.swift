import Engine
import Models
import ONNX

extension ONNXExport {
  /// A convolution layer: one Conv, or with `splitByUnit` one Conv per unit over its
  /// channels and a Concat (plus a Gather where the units' channels interleave); a float
  /// convolution's only batch norm folded in with `foldBatchNorm`.
  mutating func convolutionLayer(_ layer: Layer, _ conv: Convolution, input: String) throws -> String {
    guard var deployed = network.convolutions[layer.name] else {
      throw ExportError.missingValue(file: network.source, name: "\(layer.name).weight")
    }
    var output = layer.name
    var foldedBatchNorm: String?
    if options.foldBatchNorm, deployed.channelSteps.allSatisfy({ $0 == nil }), let only = consumers[layer.name],
      only.count == 1, only[0].operation == .batchNorm
    {
      let batchNorm = only[0].name
      let folded = FakeQuantization.foldBatchNorm(
        weight: deployed.weight, bias: deployed.bias, gamma: try network.value("\(batchNorm).weight"),
        beta: try network.value("\(batchNorm).bias"), mean: try network.value("\(batchNorm).running_mean"),
        variance: try network.value("\(batchNorm).running_var"))
      deployed = DeployedConvolution(
        weight: folded.weight, shape: deployed.shape, bias: folded.bias, channelFormats: deployed.channelFormats,
        channelSteps: deployed.channelSteps)
      handled.insert(batchNorm)
      foldedBatchNorm = batchNorm
      output = batchNorm
    }
    let result = try splitConvolution(layer, conv, deployed, input: input, output: output)
    if let foldedBatchNorm { outputs[foldedBatchNorm] = result }
    return result
  }

  /// `convolutionLayer` after folding: whole, or one Conv per unit.
  private mutating func splitConvolution(
    _ layer: Layer, _ conv: Convolution, _ deployed: DeployedConvolution, input: String, output: String
  ) throws -> String {
    let units = network.channelUnits[layer.name]
    guard options.splitByUnit, let units, Set(units).count > 1 else {
      return try convolution(
        layer, conv, deployed, input: input, channels: Array(0..<conv.outChannels), output: output)
    }
    var parts: [(channels: [Int], value: String)] = []
    for unit in Set(units).sorted() {
      let channels = units.indices.filter { units[$0] == unit }
      let value = try convolution(
        layer, conv, deployed, input: input, channels: channels, output: "\(output).\(network.units[unit].name)")
      parts.append((channels, value))
    }
    return join(parts, channels: conv.outChannels, output: output)
  }

  /// Concatenates channel subsets along the channel axis and, unless they are already in
  /// order, gathers them back into channel order.
  mutating func join(_ parts: [(channels: [Int], value: String)], channels: Int, output: String) -> String {
    if parts.count == 1, parts[0].channels == Array(0..<channels) { return parts[0].value }
    let order = parts.flatMap(\.channels)
    if order == Array(0..<channels) {
      return graph.node("Concat", parts.map(\.value), output: output, attributes: [.int("axis", 1)])
    }
    let joined = graph.node("Concat", parts.map(\.value), output: "\(output).concat", attributes: [.int("axis", 1)])
    var position = [Int64](repeating: 0, count: channels)
    for (index, channel) in order.enumerated() { position[channel] = Int64(index) }
    let indices = graph.constant("\(output).channel_order", position, shape: [channels])
    return graph.node("Gather", [joined, indices], output: output, attributes: [.int("axis", 1)])
  }

  /// One Conv over `channels` (ascending) of the layer's output channels. A depthwise
  /// layer's subset also takes only those input channels.
  mutating func convolution(
    _ layer: Layer, _ conv: Convolution, _ deployed: DeployedConvolution, input: String, channels: [Int],
    output: String
  ) throws -> String {
    let all = channels.count == conv.outChannels
    var source = input
    var groups = conv.groups
    if conv.groups > 1 && !all {
      guard conv.groups == conv.outChannels, conv.groups == layer.inputShape.channels else {
        throw ExportError.unsplittable(layer: layer.name, reason: "it is grouped but not depthwise")
      }
      let indices = graph.constant("\(output).input_channels", channels.map(Int64.init), shape: [channels.count])
      source = graph.node("Gather", [input, indices], output: "\(output).input", attributes: [.int("axis", 1)])
      groups = channels.count
    }
    let perChannel = deployed.weight.count / conv.outChannels
    let shape = [channels.count] + deployed.shape.dropFirst()
    let weight = try weights(deployed, channels: channels, perChannel: perChannel, shape: shape, name: output)
    var inputs = [source, weight]
    if let bias = deployed.bias {
      inputs.append(graph.constant("\(output).bias", channels.map { bias[$0] }, shape: [channels.count]))
    }
    return graph.node(
      "Conv", inputs, output: output,
      attributes: [
        .ints("kernel_shape", [conv.kernel, conv.kernel]), .ints("strides", [conv.stride, conv.stride]),
        .ints("pads", [conv.padding, conv.padding, conv.padding, conv.padding]), .int("group", groups),
      ],
      metadata: annotation(layer.name, channels: channels))
  }

  /// The weights of `channels` as a float constant, or with `quantized` (every channel
  /// quantized) as int8 codes × per-channel step through DequantizeLinear.
  mutating func weights(
    _ deployed: DeployedConvolution, channels: [Int], perChannel: Int, shape: [Int], name: String
  ) throws -> String {
    let rows = channels.flatMap { deployed.weight[($0 * perChannel)..<(($0 + 1) * perChannel)] }
    let steps = channels.map { deployed.channelSteps[$0] }
    guard options.quantized, steps.allSatisfy({ $0 != nil }) else {
      return graph.constant("\(name).weight", rows, shape: shape)
    }
    // A ternary channel whose scale reached 0 holds only zeros: any step represents it.
    let scales = steps.map { step -> Float in
      guard let step, step > 0 else { return 1 }
      return step
    }
    let codes = rows.indices.map { index -> Int8 in
      let code = (rows[index] / scales[index / perChannel]).rounded()
      return Int8(max(-128, min(127, code)))
    }
    let quantized = graph.constant("\(name).weight_quantized", codes, shape: shape)
    let scale = graph.constant("\(name).weight_scale", scales, shape: [channels.count])
    let zero = graph.constant(
      "\(name).weight_zero_point", [Int8](repeating: 0, count: channels.count), shape: [channels.count])
    return graph.node(
      "DequantizeLinear", [quantized, scale, zero], output: "\(name).weight", attributes: [.int("axis", 0)])
  }

  /// A weight layer's node metadata: its cost-model layer, its unit(s) and format(s) and
  /// its channel count per unit (nothing for networks without a mapping).
  func annotation(_ layer: String, channels: [Int]?) -> [(String, String)] {
    guard let units = network.channelUnits[layer] else { return [] }
    let chosen = channels.map { $0.map { units[$0] } } ?? units
    let used = Set(chosen).sorted()
    let names = used.map { network.units[$0].name }
    let counts = used.map { unit in "\(network.units[unit].name):\(chosen.filter { $0 == unit }.count)" }
    return [
      ("odimo.layer", network.planLayer[layer] ?? layer), ("odimo.unit", names.joined(separator: "+")),
      ("odimo.format", used.map { network.units[$0].weightFormat }.joined(separator: "+")),
      ("odimo.channels", counts.joined(separator: ",")),
    ]
  }

  /// An alternative-operators block as deployed: every branch computes only its own
  /// channels (its convolution, batch norm and activation over that subset), joined in
  /// channel order; the masks and the sum disappear.
  mutating func splitBlock(_ block: DeployedNetwork.AlternativeBlock, channels: Int) throws -> String {
    var parts: [(channels: [Int], value: String)] = []
    for branch in block.branches where !branch.channels.isEmpty {
      guard let first = branch.layers.first, let layer = network.architecture.layer(named: first),
        let input = outputs[layer.inputs[0]]
      else { throw ExportError.missingValue(file: network.source, name: branch.mask) }
      var value = input
      for name in branch.layers {
        guard let member = network.architecture.layer(named: name) else { continue }
        let output = "\(name).\(network.units[branch.unit].name)"
        switch member.operation {
        case .convolution(let conv), .mixedConvolution(let conv, _):
          guard let deployed = network.convolutions[name] else {
            throw ExportError.missingValue(file: network.source, name: "\(name).weight")
          }
          value = try convolution(member, conv, deployed, input: value, channels: branch.channels, output: output)
        case .batchNorm: value = try batchNorm(name, input: value, channels: branch.channels, output: output)
        case .relu: value = graph.node("Relu", [value], output: output)
        case .relu6: value = clip(value, low: 0, high: 6, output: output)
        default:
          throw ExportError.unsplittable(
            layer: name, reason: "a branch layer other than convolution, batch norm or ReLU")
        }
      }
      parts.append((branch.channels, value))
    }
    return join(parts, channels: channels, output: block.sum)
  }
}
