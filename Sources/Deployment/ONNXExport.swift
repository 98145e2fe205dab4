import Engine
import Foundation
import Models
import ONNX
import SwiftProtobuf

/// What `ONNXExport` writes besides the plain graph.
package struct ONNXExportOptions: Sendable {
  /// One convolution per compute unit over its channel subset, joined by a Concat (and a
  /// Gather restoring the channel order where the units' channels interleave).
  package var splitByUnit = false
  /// Quantized layers' weights as the units hold them (int8 codes with a power-of-two
  /// scale, ternary codes with a per-channel scale) behind DequantizeLinear, and PACT
  /// activations as Clip + QuantizeLinear/DequantizeLinear (uint8, zero point 0).
  package var quantized = false
  /// Batch norms that follow a float convolution folded into its weights and bias.
  package var foldBatchNorm = false

  package init(splitByUnit: Bool = false, quantized: Bool = false, foldBatchNorm: Bool = false) {
    self.splitByUnit = splitByUnit
    self.quantized = quantized
    self.foldBatchNorm = foldBatchNorm
  }
}

/// Writes a `DeployedNetwork` as an ONNX model (opset 13, IR version 10): one node per
/// layer, or per unit with `splitByUnit`; every convolution annotated with its cost-model
/// layer, unit(s), weight format and channel count in the node's metadata.
package struct ONNXExport {
  package static let opset = 13
  let network: DeployedNetwork
  let options: ONNXExportOptions
  var graph = ONNXGraph()
  /// Layer name → the ONNX value holding its output.
  var outputs: [String: String] = [Architecture.inputName: Architecture.inputName]
  /// Layers emitted by another layer (folded batch norms, branches of split blocks).
  var handled: Set<String> = []
  let consumers: [String: [Layer]]

  package init(_ network: DeployedNetwork, options: ONNXExportOptions) {
    self.network = network
    self.options = options
    var consumers: [String: [Layer]] = [:]
    for layer in network.architecture.layers {
      for input in layer.inputs { consumers[input, default: []].append(layer) }
    }
    self.consumers = consumers
  }

  /// The serialised model.
  package static func model(_ network: DeployedNetwork, options: ONNXExportOptions, version: String) throws -> Data {
    var export = ONNXExport(network, options: options)
    try export.lowerLayers()
    let architecture = network.architecture
    guard let last = architecture.layers.last, let output = export.outputs[last.name] else {
      throw ExportError.missingValue(file: network.source, name: "the last layer's output")
    }
    let logits = export.graph.node("Identity", [output], output: "logits")
    let shape = architecture.inputShape
    var metadata = network.metadata.map { ($0.key, $0.value) }
    metadata += [
      ("odimo.split_by_unit", "\(options.splitByUnit)"), ("odimo.quantized", "\(options.quantized)"),
      ("odimo.batch_norm_folded", "\(options.foldBatchNorm)"),
    ]
    let model = export.graph.model(
      name: architecture.name, input: (Architecture.inputName, [shape.channels, shape.height, shape.width]),
      output: (logits, [architecture.classes]), opset: opset, producerVersion: version, metadata: metadata,
      documentation: "\(architecture.name) exported by odimo \(version) from \(network.source)")
    return try model.serializedData()
  }

  mutating func lowerLayers() throws {
    if options.splitByUnit {
      for block in network.blocks { handled.formUnion(block.branches.flatMap { $0.layers + [$0.mask] }) }
    }
    for layer in network.architecture.layers where !handled.contains(layer.name) {
      if options.splitByUnit, let block = network.blocks.first(where: { $0.sum == layer.name }) {
        // The branches read the block's input themselves; the masks are never emitted.
        outputs[layer.name] = try splitBlock(block, channels: layer.outputShape.channels)
        continue
      }
      let inputs = try layer.inputs.map { name -> String in
        guard let value = outputs[name] else { throw ExportError.missingValue(file: network.source, name: name) }
        return value
      }
      outputs[layer.name] = try lower(layer, inputs: inputs)
    }
  }

  /// Emits one layer; returns the value holding its output.
  mutating func lower(_ layer: Layer, inputs: [String]) throws -> String {
    let name = layer.name
    switch layer.operation {
    case .convolution(let conv), .mixedConvolution(let conv, _):
      return try convolutionLayer(layer, conv, input: inputs[0])
    case .batchNorm:
      return try batchNorm(name, input: inputs[0], channels: nil, output: name)
    case .relu: return graph.node("Relu", inputs, output: name)
    case .relu6: return clip(inputs[0], low: 0, high: 6, output: name)
    case .maxPool(let kernel, let stride, let padding):
      return graph.node(
        "MaxPool", inputs, output: name,
        attributes: [
          .ints("kernel_shape", [kernel, kernel]), .ints("strides", [stride, stride]),
          .ints("pads", [padding, padding, padding, padding]),
        ])
    case .averagePool(let kernel, let stride):
      return graph.node(
        "AveragePool", inputs, output: name,
        attributes: [.ints("kernel_shape", [kernel, kernel]), .ints("strides", [stride, stride])])
    case .globalAveragePool: return graph.node("GlobalAveragePool", inputs, output: name)
    case .flatten: return graph.node("Flatten", inputs, output: name, attributes: [.int("axis", 1)])
    case .linear(let out, let bias):
      let weight = graph.constant(
        "\(name).weight", try network.value("\(name).weight"), shape: [out, layer.inputShape.elementCount])
      let biasValue = bias ? graph.constant("\(name).bias", try network.value("\(name).bias"), shape: [out]) : ""
      return graph.node(
        "Gemm", [inputs[0], weight] + (bias ? [biasValue] : []), output: name, attributes: [.int("transB", 1)],
        metadata: annotation(name, channels: nil))
    case .add:
      return graph.node(inputs.count == 2 ? "Add" : "Sum", inputs, output: name)
    case .dropout: return graph.node("Identity", inputs, output: name)
    case .channelMask:
      let mask = try network.value("\(name).mask")
      let constant = graph.constant("\(name).mask", mask, shape: [1, mask.count, 1, 1])
      return graph.node("Mul", [inputs[0], constant], output: name)
    case .activationQuantizer(let bits):
      return try activationQuantizer(name, bits: bits, input: inputs[0])
    }
  }

  /// Clip(x, low, high) with the bounds as scalar inputs (opset ≥ 11).
  mutating func clip(_ input: String, low: Float, high: Float, output: String) -> String {
    let lowValue = graph.constant("\(output).min", [low], shape: [])
    let highValue = graph.constant("\(output).max", [high], shape: [])
    return graph.node("Clip", [input, lowValue, highValue], output: output)
  }

  /// PACT: clip to [0, α], round to 2^bits − 1 levels. The float form computes
  /// round(x·levels/α)·α/levels exactly as odimo's kernel does (round half to even).
  mutating func activationQuantizer(_ name: String, bits: Int, input: String) throws -> String {
    let clipValue = max(try network.value("\(name).alpha").first ?? 6, 1e-3)
    let levels = Float((1 << bits) - 1)
    let clipped = clip(input, low: 0, high: clipValue, output: "\(name).clip")
    if options.quantized {
      let scale = graph.constant("\(name).scale", [clipValue / levels], shape: [])
      let zero = graph.constant("\(name).zero_point", [UInt8(0)], shape: [])
      let codes = graph.node("QuantizeLinear", [clipped, scale, zero], output: "\(name).quantized")
      return graph.node("DequantizeLinear", [codes, scale, zero], output: name)
    }
    let up = graph.constant("\(name).levels_per_unit", [levels / clipValue], shape: [])
    let down = graph.constant("\(name).step", [clipValue / levels], shape: [])
    let scaled = graph.node("Mul", [clipped, up], output: "\(name).scaled")
    let rounded = graph.node("Round", [scaled], output: "\(name).rounded")
    return graph.node("Mul", [rounded, down], output: name)
  }

  /// BatchNormalization over all channels, or over `channels` of the layer's.
  mutating func batchNorm(_ name: String, input: String, channels: [Int]?, output: String) throws -> String {
    var tensors: [String] = []
    for suffix in ["weight", "bias", "running_mean", "running_var"] {
      let values = try network.value("\(name).\(suffix)")
      let chosen = channels.map { $0.map { values[$0] } } ?? values
      tensors.append(graph.constant("\(output).\(suffix)", chosen, shape: [chosen.count]))
    }
    return graph.node(
      "BatchNormalization", [input] + tensors, output: output,
      attributes: [.float("epsilon", BatchNormalization.epsilon), .float("momentum", 1 - BatchNormalization.momentum)])
  }
}
