import Models

/// What kind of operator a layer (or one alternative of a searchable layer) is.
package enum OperatorKind: String, Sendable, Hashable, Codable, CaseIterable {
  /// A standard convolution (groups = 1).
  case convolution
  /// A depthwise convolution (groups = input channels = output channels).
  case depthwise
  /// A fully connected layer, costed as a 1×1 convolution on a 1×1 output.
  case linear
}

/// What a cost model sees of a layer: the full layer's geometry. How many of its output
/// channels a unit computes is passed separately. Sizes are in elements.
package struct LayerGeometry: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The largest size (channels, kernel, output extent, groups) odimo costs: products of
  /// several such sizes stay exact in Int and Double.
  package static let maximumExtent = 1 << 20

  package var kind: OperatorKind
  package var cIn: Int
  /// Output channels of the whole layer (the `c_out` of the reference).
  package var cOut: Int
  package var kX: Int
  package var kY: Int
  package var oX: Int
  package var oY: Int
  package var groups: Int
  package var stride: Int

  package init(
    kind: OperatorKind? = nil, cIn: Int, cOut: Int, kX: Int, kY: Int, oX: Int, oY: Int, groups: Int = 1,
    stride: Int = 1
  ) {
    self.kind = kind ?? (groups == 1 ? .convolution : .depthwise)
    self.cIn = cIn
    self.cOut = cOut
    self.kX = kX
    self.kY = kY
    self.oX = oX
    self.oY = oY
    self.groups = groups
    self.stride = stride
  }

  /// The geometry of a model layer; nil for layers without weights.
  package init?(_ layer: Layer) {
    switch layer.operation {
    case .convolution(let conv), .mixedConvolution(let conv, _):
      let depthwise = conv.groups > 1 && conv.groups == layer.inputShape.channels && conv.groups == conv.outChannels
      self.init(
        kind: depthwise ? .depthwise : .convolution, cIn: layer.inputShape.channels, cOut: conv.outChannels,
        kX: conv.kernel, kY: conv.kernel, oX: layer.outputShape.width, oY: layer.outputShape.height,
        groups: conv.groups, stride: conv.stride)
    case .linear(let out, _):
      self.init(kind: .linear, cIn: layer.inputShape.elementCount, cOut: out, kX: 1, kY: 1, oX: 1, oY: 1)
    default:
      return nil
    }
  }

  /// Multiply-accumulates for `channels` of the output channels.
  package func multiplyAccumulates(channels: Double) -> Double {
    channels * Double(cIn / max(groups, 1)) * Double(kX * kY * oX * oY)
  }

  package var description: String {
    let kindText = kind == .depthwise ? "dw" : kind == .linear ? "fc" : "conv"
    return "\(kindText) \(cIn)→\(cOut) k\(kX)×\(kY) s\(stride) @\(oX)×\(oY)"
  }
}
