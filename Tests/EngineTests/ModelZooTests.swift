import Engine
import Models
import Support
import Testing

@Suite struct ModelZooTests {
  private func weightLayers(_ model: Architecture) -> (k3: Int, k1: Int, dw: Int, fc: Int) {
    var counts = (k3: 0, k1: 0, dw: 0, fc: 0)
    for layer in model.weightLayers {
      switch layer.operation {
      case .convolution(let conv) where conv.groups > 1: counts.dw += 1
      case .convolution(let conv) where conv.kernel == 3: counts.k3 += 1
      case .convolution(let conv) where conv.kernel == 1: counts.k1 += 1
      case .linear: counts.fc += 1
      default: break
      }
    }
    return counts
  }

  @Test func resnet20MatchesTheReference() throws {
    let model = try ModelZoo.make("resnet20", resolution: 32)
    let counts = weightLayers(model)
    #expect(counts.k3 == 19 && counts.k1 == 2 && counts.fc == 1 && counts.dw == 0)
    #expect(model.weightLayers.count == 22)
    // 40.55 M MACs for the classic ResNet-20 (identity shortcuts, the brief's "40.6 M")
    // plus 2 × 131,072 for the reference's two 1×1 shortcut convolutions; ~0.27 M parameters.
    #expect(abs(Double(model.multiplyAccumulates) / 1e6 - 40.81) < 0.01)
    #expect((260_000...280_000).contains(model.parameterCount))
    #expect(model.layer(named: "stage3.block2.relu")?.outputShape == FeatureShape(channels: 64, height: 8, width: 8))
  }

  @Test func resnet8IsMLPerfTiny() throws {
    let model = try ModelZoo.make("resnet8", resolution: 32)
    #expect(abs(Double(model.multiplyAccumulates) / 1e6 - 12.5) < 0.1)
    #expect(weightLayers(model).k3 == 7 && weightLayers(model).k1 == 2)
  }

  @Test func mobilenetV1Variants() throws {
    let small = try ModelZoo.make("mobilenetv1", resolution: 32)
    #expect(abs(Double(small.multiplyAccumulates) / 1e6 - 46.3) < 0.2)
    #expect(weightLayers(small).dw == 13)
    // The Darkside search replaces the 8 blocks that keep width and resolution.
    #expect(
      small.replaceableBlocks.map(\.name) == [
        "block3", "block5", "block7", "block8", "block9", "block10", "block11", "block13",
      ])
    let shapes = small.replaceableBlocks.compactMap { small.layer(named: $0.depthwise)?.outputShape }
    #expect(shapes.map(\.channels) == [128, 256, 512, 512, 512, 512, 512, 1024])
    #expect(shapes.map(\.height) == [16, 8, 4, 4, 4, 4, 4, 2])
    let large = try ModelZoo.make("mobilenetv1", resolution: 224, classes: 1000)
    // ~569 M MACs and ~4.2 M parameters for ImageNet MobileNetV1 (Howard et al., Table 1).
    #expect(abs(Double(large.multiplyAccumulates) / 1e6 - 569) < 3)
    #expect(abs(Double(large.parameterCount) / 1e6 - 4.2) < 0.1)
    let quarter = try ModelZoo.make("mobilenetv1", resolution: 32, width: 0.25)
    #expect(quarter.layer(named: "stem")?.outputShape.channels == 8)
  }

  @Test func resnet18Stems() throws {
    let imagenet = try ModelZoo.make("resnet18-imagenet", resolution: 224, classes: 1000)
    #expect(abs(Double(imagenet.multiplyAccumulates) / 1e9 - 1.82) < 0.02)
    #expect(abs(Double(imagenet.parameterCount) / 1e6 - 11.69) < 0.05)
    let cifar = try ModelZoo.make("resnet18", resolution: 32, classes: 100)
    #expect(cifar.layer(named: "stem")?.outputShape == FeatureShape(channels: 64, height: 32, width: 32))
    #expect(cifar.layer(named: "stage4.block1.relu")?.outputShape == FeatureShape(channels: 512, height: 4, width: 4))
  }

  /// The option a refused request names (nil: built).
  private func refusedOption(_ build: () throws -> Architecture) -> String? {
    do {
      _ = try build()
      return nil
    } catch let error as InvalidOption {
      return error.option
    } catch {
      return "\(type(of: error))"
    }
  }

  @Test func badRequestsAreRefused() {
    #expect(refusedOption { try ModelZoo.make("vgg16", resolution: 32) } == "--model")
    #expect(refusedOption { try ModelZoo.make("resnet20", resolution: 4) } == "--input")
    #expect(refusedOption { try ModelZoo.make("resnet20", resolution: 32, classes: 1) } == "--classes")
    #expect(refusedOption { try ModelZoo.make("resnet20", resolution: 32, width: 0) } == "--width")
    #expect(refusedOption { try ModelZoo.make("resnet20", resolution: 32, stemStride: 2) } == "--stem-stride")
    // Sizes that would overflow or exhaust memory are refused up front.
    #expect(refusedOption { try ModelZoo.make("resnet20", resolution: 2_147_483_648) } == "--input")
    #expect(refusedOption { try ModelZoo.make("resnet20", resolution: 32, channels: 1 << 40) } == "--channels")
    #expect(
      refusedOption { try ModelZoo.make("resnet20", resolution: 32, classes: 4_000_000_000_000_000_000) } == "--classes"
    )
  }
}
