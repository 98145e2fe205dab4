/// MobileNetV1 (Howard et al. 2017) with a width multiplier. The 32×32 variant uses a
/// stride-1 first layer (as the ODiMO reference does for CIFAR); the 224 one stride 2.
enum MobileNetV1 {
  /// (output channels at width 1, depthwise stride) of the 13 depthwise-separable blocks.
  static let blocks: [(Int, Int)] = [
    (64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2),
    (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1),
  ]

  static func make(input: FeatureShape, classes: Int, width: Double, stemStride: Int) -> Architecture {
    let scaled = { (channels: Int) in max(1, Int((Double(channels) * width).rounded())) }
    var b = ArchitectureBuilder(name: "mobilenetv1", input: input, classes: classes)
    b.convBNReLU("stem", Convolution(outChannels: scaled(32), kernel: 3, stride: stemStride))
    for (index, (channels, stride)) in blocks.enumerated() {
      let inChannels = b.shape(of: b.last).channels
      let name = "block\(index + 1)"
      b.convBNReLU("\(name).dw", Convolution(outChannels: inChannels, kernel: 3, stride: stride, groups: inChannels))
      b.convBNReLU("\(name).pw", Convolution(outChannels: scaled(channels), kernel: 1, padding: 0))
      // Blocks that keep width and resolution are the ones ODiMO's Darkside search
      // replaces by a standard 3×3 convolution, or by the depthwise layer alone.
      if stride == 1, scaled(channels) == inChannels {
        b.markReplaceable(name, depthwise: "\(name).dw", pointwise: "\(name).pw")
      }
    }
    b.add("pool", .globalAveragePool)
    b.add("flatten", .flatten)
    b.add("classifier", .linear(outFeatures: classes, bias: true))
    return b.build()
  }
}
