import Support

/// The models odimo can build, by name.
package enum ModelZoo {
  /// Names accepted by `make`, with a one-line description each.
  package static let catalogue: [(name: String, summary: String)] = [
    ("resnet8", "ResNet-8 (MLPerf Tiny): 3×3 stem, one basic block per stage (16/32/64)"),
    ("resnet20", "ResNet-20 for CIFAR: 19 3×3 convs, 2 1×1 shortcuts, classifier"),
    ("resnet18", "ResNet-18 with the CIFAR stem (3×3, stride 1, no max-pool)"),
    ("resnet18-imagenet", "ResNet-18 with the ImageNet stem (7×7 stride 2 + max-pool)"),
    ("mobilenetv1", "MobileNetV1; stride-1 stem for inputs up to 64 px (the 32×32 variant), else stride 2"),
  ]

  /// Builds model `name` for square `resolution`-pixel inputs with `channels` input
  /// channels and `classes` outputs; `width` scales MobileNetV1's channels and
  /// `stemStride` sets its first layer's stride (nil: 1 up to 64 px, else 2; the ODiMO
  /// reference's Darkside network is width 1 with stride 2 at 32×32).
  package static func make(
    _ name: String, resolution: Int, channels: Int = 3, classes: Int = 10, width: Double = 1, stemStride: Int? = nil
  ) throws -> Architecture {
    if let stemStride {
      guard name.lowercased() == "mobilenetv1", (1...4).contains(stemStride) else {
        throw InvalidOption("--stem-stride", value: stemStride, expected: "1…4, and only for mobilenetv1 (not \(name))")
      }
    }
    guard width > 0, width <= 4 else { throw InvalidOption("--width", value: width, expected: "0 < width ≤ 4") }
    guard (8...4096).contains(resolution) else {
      throw InvalidOption("--input", value: resolution, expected: "8…4096 pixels")
    }
    guard (1...64).contains(channels) else { throw InvalidOption("--channels", value: channels, expected: "1…64") }
    guard (2...1_000_000).contains(classes) else {
      throw InvalidOption("--classes", value: classes, expected: "2…1,000,000")
    }
    let input = FeatureShape(channels: channels, height: resolution, width: resolution)
    switch name.lowercased() {
    case "resnet8": return ResNet.resnet8(input: input, classes: classes)
    case "resnet20": return ResNet.resnet20(input: input, classes: classes)
    case "resnet18": return ResNet.resnet18(imagenetStem: false, input: input, classes: classes)
    case "resnet18-imagenet": return ResNet.resnet18(imagenetStem: true, input: input, classes: classes)
    case "mobilenetv1":
      return MobileNetV1.make(
        input: input, classes: classes, width: width, stemStride: stemStride ?? (resolution <= 64 ? 1 : 2))
    default:
      throw InvalidOption("--model", value: name, expected: "one of " + catalogue.map(\.name).joined(separator: ", "))
    }
  }
}
