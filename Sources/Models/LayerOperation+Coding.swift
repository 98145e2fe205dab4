import Foundation
import Support

/// The stable JSON of a layer's operation (checkpoints and run files since format version
/// 2; documented in datasets/FORMATS.md): an object whose `op` names the operation, with
/// its hyper-parameters beside it —
/// `{"op": "convolution", "out_channels": 16, "kernel": 3, "stride": 1, "padding": 1,
/// "groups": 1, "bias": false, "weight_quantization": null}`,
/// `{"op": "batch_norm", "epsilon": 1e-05, "momentum": 0.1}`, … Version 1 files stored
/// Swift's own enum encoding (`{"convolution": {"_0": {…}}}`); both are read.
extension LayerOperation {
  private enum Keys: String, CodingKey {
    case op
    case outChannels, kernel, stride, padding, groups, bias, weightQuantization
    case formats, epsilon, momentum, outFeatures, probability, bits
  }

  /// The `op` names, one per case.
  private enum Name: String, Codable {
    case convolution
    case batchNorm = "batch_norm"
    case relu, relu6
    case maxPool = "max_pool"
    case averagePool = "average_pool"
    case globalAveragePool = "global_average_pool"
    case flatten, linear, add, dropout
    case mixedConvolution = "mixed_convolution"
    case channelMask = "channel_mask"
    case activationQuantizer = "activation_quantizer"
  }

  package func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: Keys.self)
    func convolution(_ conv: Convolution) throws {
      try container.encode(conv.outChannels, forKey: .outChannels)
      try container.encode(conv.kernel, forKey: .kernel)
      try container.encode(conv.stride, forKey: .stride)
      try container.encode(conv.padding, forKey: .padding)
      try container.encode(conv.groups, forKey: .groups)
      try container.encode(conv.bias, forKey: .bias)
      try container.encode(conv.weightQuantization?.rawValue, forKey: .weightQuantization)
    }
    switch self {
    case .convolution(let conv):
      try container.encode(Name.convolution, forKey: .op)
      try convolution(conv)
    case .mixedConvolution(let conv, let formats):
      try container.encode(Name.mixedConvolution, forKey: .op)
      try convolution(conv)
      try container.encode(formats.map { $0?.rawValue ?? "float" }, forKey: .formats)
    case .batchNorm:
      try container.encode(Name.batchNorm, forKey: .op)
      try container.encode(BatchNormalization.epsilon, forKey: .epsilon)
      try container.encode(BatchNormalization.momentum, forKey: .momentum)
    case .relu: try container.encode(Name.relu, forKey: .op)
    case .relu6: try container.encode(Name.relu6, forKey: .op)
    case .maxPool(let kernel, let stride, let padding):
      try container.encode(Name.maxPool, forKey: .op)
      try container.encode(kernel, forKey: .kernel)
      try container.encode(stride, forKey: .stride)
      try container.encode(padding, forKey: .padding)
    case .averagePool(let kernel, let stride):
      try container.encode(Name.averagePool, forKey: .op)
      try container.encode(kernel, forKey: .kernel)
      try container.encode(stride, forKey: .stride)
    case .globalAveragePool: try container.encode(Name.globalAveragePool, forKey: .op)
    case .flatten: try container.encode(Name.flatten, forKey: .op)
    case .linear(let outFeatures, let bias):
      try container.encode(Name.linear, forKey: .op)
      try container.encode(outFeatures, forKey: .outFeatures)
      try container.encode(bias, forKey: .bias)
    case .add: try container.encode(Name.add, forKey: .op)
    case .dropout(let probability):
      try container.encode(Name.dropout, forKey: .op)
      try container.encode(probability, forKey: .probability)
    case .channelMask: try container.encode(Name.channelMask, forKey: .op)
    case .activationQuantizer(let bits):
      try container.encode(Name.activationQuantizer, forKey: .op)
      try container.encode(bits, forKey: .bits)
    }
  }

  package init(from decoder: any Decoder) throws {
    let container = try decoder.container(keyedBy: Keys.self)
    guard container.contains(.op) else {
      self = try LegacyOperation(from: decoder).operation
      return
    }
    func convolution() throws -> Convolution {
      let quantization = try container.decodeIfPresent(String.self, forKey: .weightQuantization)
      return Convolution(
        outChannels: try container.decode(Int.self, forKey: .outChannels),
        kernel: try container.decode(Int.self, forKey: .kernel),
        stride: try container.decode(Int.self, forKey: .stride),
        padding: try container.decode(Int.self, forKey: .padding),
        groups: try container.decode(Int.self, forKey: .groups), bias: try container.decode(Bool.self, forKey: .bias),
        weightQuantization: try quantization.map { try Self.format($0, container) })
    }
    switch try container.decode(Name.self, forKey: .op) {
    case .convolution: self = .convolution(try convolution())
    case .mixedConvolution:
      let formats = try container.decode([String].self, forKey: .formats).map {
        $0 == "float" ? nil : try Self.format($0, container)
      }
      self = .mixedConvolution(try convolution(), formats: formats)
    case .batchNorm:
      // odimo's batch norm has PyTorch's constants; a file asking for others cannot be honoured.
      for (key, expected) in [(Keys.epsilon, BatchNormalization.epsilon), (.momentum, BatchNormalization.momentum)] {
        if let value = try container.decodeIfPresent(Float.self, forKey: key), value != expected {
          throw DecodingError.dataCorruptedError(
            forKey: key, in: container,
            debugDescription: "batch_norm \(key.stringValue) is \(value); odimo uses \(expected)")
        }
      }
      self = .batchNorm
    case .relu: self = .relu
    case .relu6: self = .relu6
    case .maxPool:
      self = .maxPool(
        kernel: try container.decode(Int.self, forKey: .kernel),
        stride: try container.decode(Int.self, forKey: .stride),
        padding: try container.decode(Int.self, forKey: .padding))
    case .averagePool:
      self = .averagePool(
        kernel: try container.decode(Int.self, forKey: .kernel), stride: try container.decode(Int.self, forKey: .stride)
      )
    case .globalAveragePool: self = .globalAveragePool
    case .flatten: self = .flatten
    case .linear:
      self = .linear(
        outFeatures: try container.decode(Int.self, forKey: .outFeatures),
        bias: try container.decode(Bool.self, forKey: .bias))
    case .add: self = .add
    case .dropout: self = .dropout(probability: try container.decode(Double.self, forKey: .probability))
    case .channelMask: self = .channelMask
    case .activationQuantizer: self = .activationQuantizer(bits: try container.decode(Int.self, forKey: .bits))
    }
  }

  private static func format(_ text: String, _ container: KeyedDecodingContainer<Keys>) throws -> WeightQuantization {
    guard let format = WeightQuantization(rawValue: text) else {
      throw DecodingError.dataCorruptedError(
        forKey: .weightQuantization, in: container,
        debugDescription: "unknown weight format '\(text)'; expected int8-pow2, ternary or float")
    }
    return format
  }
}

/// Format version 1's operation encoding (Swift's synthesized enum coding), read only.
private enum LegacyOperation: Decodable {
  case convolution(Convolution)
  case batchNorm
  case relu
  case relu6
  case maxPool(kernel: Int, stride: Int, padding: Int)
  case averagePool(kernel: Int, stride: Int)
  case globalAveragePool
  case flatten
  case linear(outFeatures: Int, bias: Bool)
  case add
  case dropout(probability: Double)
  case mixedConvolution(Convolution, formats: [WeightQuantization?])
  case channelMask
  case activationQuantizer(bits: Int)

  var operation: LayerOperation {
    switch self {
    case .convolution(let conv): .convolution(conv)
    case .batchNorm: .batchNorm
    case .relu: .relu
    case .relu6: .relu6
    case .maxPool(let kernel, let stride, let padding): .maxPool(kernel: kernel, stride: stride, padding: padding)
    case .averagePool(let kernel, let stride): .averagePool(kernel: kernel, stride: stride)
    case .globalAveragePool: .globalAveragePool
    case .flatten: .flatten
    case .linear(let out, let bias): .linear(outFeatures: out, bias: bias)
    case .add: .add
    case .dropout(let probability): .dropout(probability: probability)
    case .mixedConvolution(let conv, let formats): .mixedConvolution(conv, formats: formats)
    case .channelMask: .channelMask
    case .activationQuantizer(let bits): .activationQuantizer(bits: bits)
    }
  }
}
