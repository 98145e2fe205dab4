/// The shape of one activation: channels × height × width (batch excluded).
package struct FeatureShape: Sendable, Hashable, Codable, CustomStringConvertible {
  package var channels: Int
  package var height: Int
  package var width: Int

  package init(channels: Int, height: Int, width: Int) {
    self.channels = channels
    self.height = height
    self.width = width
  }

  package var elementCount: Int { channels * height * width }
  package var description: String { "\(channels)×\(height)×\(width)" }
}

/// A 2-D convolution's hyper-parameters. Square kernels, symmetric padding.
package struct Convolution: Sendable, Hashable, Codable {
  package var outChannels: Int
  package var kernel: Int
  package var stride: Int
  package var padding: Int
  /// 1 for a standard convolution; equal to the input channels for a depthwise one.
  package var groups: Int
  package var bias: Bool
  /// Fake quantization of the weights while training; nil trains in float.
  package var weightQuantization: WeightQuantization?

  package init(
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
package enum WeightQuantization: String, Sendable, Hashable, Codable {
  /// Symmetric 8-bit with a power-of-two scale (DIANA's digital unit).
  case int8PowerOfTwo = "int8-pow2"
  /// Ternary {−s, 0, +s} with a learnable scale per output channel (DIANA's analog unit).
  case ternary
}

/// What a layer computes. The model is data: the search reads layers' geometry and
/// rewrites layers into mixtures of alternatives, so every operator is a plain value.
package enum LayerOperation: Sendable, Hashable, Codable {
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
  package var isWeightLayer: Bool {
    switch self {
    case .convolution, .mixedConvolution, .linear: true
    default: false
    }
  }
}

/// One node of a model graph.
package struct Layer: Sendable, Hashable, Codable {
  /// Unique, stable name (used in checkpoints, mappings and reports), e.g. "stage2.block0.conv1".
  package let name: String
  package let operation: LayerOperation
  /// Names of the layers feeding this one; `Architecture.inputName` is the model input.
  package let inputs: [String]
  /// Shape of this layer's input (the first input for `add`).
  package let inputShape: FeatureShape
  /// Shape of this layer's output.
  package let outputShape: FeatureShape
}

/// A depthwise-separable pair (k×k depthwise c→c followed by 1×1 pointwise c→c) that a
/// search may replace by one k×k standard convolution c→c, or by the depthwise layer
/// alone, on specialised hardware (Darkside's cluster and depthwise engine).
package struct ReplaceableBlock: Sendable, Hashable, Codable {
  /// The block's name (e.g. "block3"), used for the searchable layer that replaces it.
  package let name: String
  package let depthwise: String
  package let pointwise: String
}

/// A model as a directed acyclic graph of layers in topological order.
package struct Architecture: Sendable, Hashable, Codable {
  /// The name the model zoo knows it by (e.g. "resnet20").
  package let name: String
  package let inputShape: FeatureShape
  package let classes: Int
  package let layers: [Layer]
  package let replaceableBlocks: [ReplaceableBlock]

  package static let inputName = "input"

  /// The layers that hold weights, in order.
  package var weightLayers: [Layer] { layers.filter { $0.operation.isWeightLayer } }

  /// The layer called `name`, if any.
  package func layer(named name: String) -> Layer? { layers.first { $0.name == name } }

  /// Multiply-accumulates of one forward pass of one image.
  package var multiplyAccumulates: Int {
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
  package var parameterCount: Int {
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
package enum BatchNormalization {
  package static let epsilon: Float = 1e-5
  package static let momentum: Float = 0.1
}
