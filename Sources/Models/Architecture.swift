/// The shape of one activation: channels × height × width (batch excluded).
public struct FeatureShape: Sendable, Hashable, Codable, CustomStringConvertible {
  public var channels: Int
  public var height: Int
  public var width: Int

  public init(channels: Int, height: Int, width: Int) {
    self.channels = channels
    self.height = height
    self.width = width
  }

  public var elementCount: Int { channels * height * width }
  public var description: String { "\(channels)×\(height)×\(width)" }
}

/// A 2-D convolution's hyper-parameters. Square kernels, symmetric padding.
public struct Convolution: Sendable, Hashable, Codable {
  public var outChannels: Int
  public var kernel: Int
  public var stride: Int
  public var padding: Int
  /// 1 for a standard convolution; equal to the input channels for a depthwise one.
  public var groups: Int
  public var bias: Bool
  /// Fake quantization of the weights while training; nil trains in float.
  public var weightQuantization: WeightQuantization?

  public init(
    outChannels: Int, kernel: Int, stride: Int = 1, padding: Int? = nil, groups: Int = 1, bias: Bool = false,
    weightQuantization: WeightQuantization? = nil
  ) {
    self.weightQuantization = weightQuantization
    self.outChannels = outChannels
    self.kernel = kernel
    self.stride = stride
    self.padding = padding ?? kernel / 2
    self.groups = groups
    self.bias = bias
  }
}

/// How a convolution's weights are fake-quantized while training.
public enum WeightQuantization: String, Sendable, Hashable, Codable {
  /// Symmetric 8-bit with a power-of-two scale (DIANA's digital unit).
  case int8PowerOfTwo = "int8-pow2"
  /// Ternary {−s, 0, +s} with a learnable scale per output channel (DIANA's analog unit).
  case ternary
}

/// What a layer computes. The model is data: the search reads layers' geometry and
/// rewrites layers into mixtures of alternatives, so every operator is a plain value.
public enum LayerOperation: Sendable, Hashable, Codable {
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
  /// A convolution whose output channels are each computed in one of several weight
  /// formats, mixed per channel by a softmax over learnable logits (ODiMO's
  /// shared-weights supernet layer; one format per compute unit).
  case mixedConvolution(Convolution, formats: [WeightQuantization?])
  /// Per-output-channel multiplier with a learnable (or externally set) mask.
  case channelMask
  /// Unsigned activation fake-quantization with a learnable clip (PACT).
  case activationQuantizer(bits: Int)

  /// Whether the layer holds weights a cost model charges for (convolutions, linear).
  public var isWeightLayer: Bool {
    switch self {
    case .convolution, .mixedConvolution, .linear: true
    default: false
    }
  }
}

/// One node of a model graph.
public struct Layer: Sendable, Hashable, Codable {
  /// Unique, stable name (used in checkpoints, mappings and reports), e.g. "stage2.block0.conv1".
  public let name: String
  public let operation: LayerOperation
  /// Names of the layers feeding this one; `Architecture.inputName` is the model input.
  public let inputs: [String]
  /// Shape of this layer's input (the first input for `add`).
  public let inputShape: FeatureShape
  /// Shape of this layer's output.
  public let outputShape: FeatureShape
}

/// A depthwise-separable pair (k×k depthwise c→c followed by 1×1 pointwise c→c) that a
/// search may replace by one k×k standard convolution c→c, or by the depthwise layer
/// alone, on specialised hardware (Darkside's cluster and depthwise engine).
public struct ReplaceableBlock: Sendable, Hashable, Codable {
  /// The block's name (e.g. "block3"), used for the searchable layer that replaces it.
  public let name: String
  public let depthwise: String
  public let pointwise: String
}

/// A model as a directed acyclic graph of layers in topological order.
public struct Architecture: Sendable, Hashable, Codable {
  /// The name the model zoo knows it by (e.g. "resnet20").
  public let name: String
  public let inputShape: FeatureShape
  public let classes: Int
  public let layers: [Layer]
  public let replaceableBlocks: [ReplaceableBlock]

  public static let inputName = "input"

  /// The layers that hold weights, in order.
  public var weightLayers: [Layer] { layers.filter { $0.operation.isWeightLayer } }

  /// The layer called `name`, if any.
  public func layer(named name: String) -> Layer? { layers.first { $0.name == name } }

  /// Multiply-accumulates of one forward pass of one image.
  public var multiplyAccumulates: Int {
    layers.reduce(0) { total, layer in
      switch layer.operation {
      case .convolution(let conv), .mixedConvolution(let conv, _):
        total + layer.outputShape.elementCount * (layer.inputShape.channels / conv.groups) * conv.kernel * conv.kernel
      case .linear(let out, _):
        total + out * layer.inputShape.elementCount
      default: total
      }
    }
  }

  /// Trainable parameters (weights, biases, batch-norm scale and shift).
  public var parameterCount: Int {
    layers.reduce(0) { total, layer in
      switch layer.operation {
      case .convolution(let conv), .mixedConvolution(let conv, _):
        total + conv.outChannels * (layer.inputShape.channels / conv.groups) * conv.kernel * conv.kernel
          + (conv.bias ? conv.outChannels : 0)
      case .linear(let out, let bias):
        total + out * layer.inputShape.elementCount + (bias ? out : 0)
      case .batchNorm: total + 2 * layer.outputShape.channels
      default: total
      }
    }
  }
}

/// Batch normalisation's constants, PyTorch's defaults, shared by every batch-norm layer:
/// y = γ·(x − μ)/√(σ² + ε) + β; running statistics r ← (1 − m)·r + m·batch.
public enum BatchNormalization {
  public static let epsilon: Float = 1e-5
  public static let momentum: Float = 0.1
}
