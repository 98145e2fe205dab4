/// ResNets for CIFAR-sized and ImageNet-sized inputs, as in the ODiMO reference.
enum ResNet {
  /// A basic block: two 3×3 conv-BN layers and a residual; at a stride or width change
  /// the shortcut is a 1×1 convolution + BN (the reference's "downsample").
  static func basicBlock(_ b: inout ArchitectureBuilder, _ name: String, channels: Int, stride: Int) {
    let input = b.last
    let inChannels = b.shape(of: input).channels
    b.convBNReLU("\(name).conv1", Convolution(outChannels: channels, kernel: 3, stride: stride))
    let main = b.convBNReLU("\(name).conv2", Convolution(outChannels: channels, kernel: 3), activation: false)
    var shortcut = input
    if stride != 1 || inChannels != channels {
      shortcut = b.convBNReLU(
        "\(name).shortcut", Convolution(outChannels: channels, kernel: 1, stride: stride, padding: 0),
        activation: false, from: input)
    }
    b.add("\(name).add", .add, from: [main, shortcut])
    b.add("\(name).relu", .relu)
  }

  static func head(_ b: inout ArchitectureBuilder) {
    b.add("pool", .globalAveragePool)
    b.add("flatten", .flatten)
    b.add("classifier", .linear(outFeatures: b.classes, bias: true))
  }

  /// CIFAR ResNet with `blocks` basic blocks per stage at widths 16, 32, 64.
  static func cifar(name: String, blocksPerStage: [Int], input: FeatureShape, classes: Int) -> Architecture {
    var b = ArchitectureBuilder(name: name, input: input, classes: classes)
    b.convBNReLU("stem", Convolution(outChannels: 16, kernel: 3))
    for (stage, (blocks, width)) in zip(blocksPerStage, [16, 32, 64]).enumerated() {
      for block in 0..<blocks {
        basicBlock(&b, "stage\(stage + 1).block\(block)", channels: width, stride: stage > 0 && block == 0 ? 2 : 1)
      }
    }
    head(&b)
    return b.build()
  }

  /// ResNet-8 of MLPerf Tiny: a 3×3 stem and one basic block per stage (16, 32, 64).
  static func resnet8(input: FeatureShape, classes: Int) -> Architecture {
    cifar(name: "resnet8", blocksPerStage: [1, 1, 1], input: input, classes: classes)
  }

  /// ResNet-20 for CIFAR: 19 3×3 convs + 2 1×1 shortcut convs + the classifier.
  static func resnet20(input: FeatureShape, classes: Int) -> Architecture {
    cifar(name: "resnet20", blocksPerStage: [3, 3, 3], input: input, classes: classes)
  }

  /// ResNet-18: the CIFAR stem (3×3, stride 1, no max-pool) or the ImageNet stem
  /// (7×7 stride 2 + 3×3 max-pool stride 2), then 4 stages of 2 blocks (64…512).
  static func resnet18(imagenetStem: Bool, input: FeatureShape, classes: Int) -> Architecture {
    var b = ArchitectureBuilder(name: imagenetStem ? "resnet18-imagenet" : "resnet18", input: input, classes: classes)
    if imagenetStem {
      b.convBNReLU("stem", Convolution(outChannels: 64, kernel: 7, stride: 2, padding: 3))
      b.add("stem.pool", .maxPool(kernel: 3, stride: 2, padding: 1))
    } else {
      b.convBNReLU("stem", Convolution(outChannels: 64, kernel: 3))
    }
    for (stage, width) in [64, 128, 256, 512].enumerated() {
      for block in 0..<2 {
        basicBlock(&b, "stage\(stage + 1).block\(block)", channels: width, stride: stage > 0 && block == 0 ? 2 : 1)
      }
    }
    head(&b)
    return b.build()
  }
}
