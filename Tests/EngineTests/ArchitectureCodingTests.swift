import Foundation
import Models
import Support
import Testing

@testable import Engine

/// The stable architecture JSON (checkpoint and run-file format version 2) and version 1's
/// Swift enum coding, which old files hold.
@Suite struct ArchitectureCodingTests {
  static func roundTrip(_ architecture: Architecture) throws -> (Architecture, String) {
    let text = String(decoding: try JSONEncoder.sorted.encode(architecture), as: UTF8.self)
    return (try JSONDecoder.snakeCase.decode(Architecture.self, from: Data(text.utf8)), text)
  }

  /// Every zoo model and a mixed/quantized graph survive encode → decode unchanged, and the
  /// text names operations by `op` (no Swift enum payload keys such as "_0").
  @Test func everyOperationRoundTrips() throws {
    var models = try ["resnet8", "resnet20", "mobilenetv1"].map {
      try ModelZoo.make($0, resolution: 32)
    }
    var builder = ArchitectureBuilder(
      name: "every-op", input: FeatureShape(channels: 2, height: 8, width: 8), classes: 3)
    builder.add("q", .activationQuantizer(bits: 7))
    builder.add(
      "mixed",
      .mixedConvolution(Convolution(outChannels: 4, kernel: 3, bias: true), formats: [.int8PowerOfTwo, .ternary, nil]))
    builder.add("conv", .convolution(Convolution(outChannels: 4, kernel: 1, weightQuantization: .ternary)))
    builder.add("mask", .channelMask)
    builder.add("six", .relu6)
    builder.add("avg", .averagePool(kernel: 2, stride: 2))
    builder.add("max", .maxPool(kernel: 3, stride: 1, padding: 1))
    builder.add("drop", .dropout(probability: 0.25))
    builder.add("gap", .globalAveragePool)
    builder.add("flat", .flatten)
    builder.add("fc", .linear(outFeatures: 3, bias: false))
    models.append(builder.build())
    for model in models {
      let (decoded, text) = try Self.roundTrip(model)
      #expect(decoded == model, "\(model.name)")
      #expect(!text.contains("\"_0\"") && text.contains("\"op\":"), "\(model.name)")
    }
    let (_, text) = try Self.roundTrip(models[0])
    #expect(text.contains(#""op":"batch_norm""#) && text.contains(#""out_channels":16"#))
    #expect(text.contains(#""epsilon":"#) && text.contains(#""momentum":"#))
  }

  /// Version 1 files stored Swift's synthesized enum coding; they still decode.
  @Test func versionOneOperationsDecode() throws {
    let legacy: [(String, LayerOperation)] = [
      (
        #"{"convolution":{"_0":{"bias":false,"groups":1,"kernel":3,"out_channels":16,"padding":1,"stride":2}}}"#,
        .convolution(Convolution(outChannels: 16, kernel: 3, stride: 2))
      ),
      (#"{"batch_norm":{}}"#, .batchNorm),
      (#"{"max_pool":{"kernel":3,"padding":1,"stride":2}}"#, .maxPool(kernel: 3, stride: 2, padding: 1)),
      (#"{"linear":{"bias":true,"out_features":10}}"#, .linear(outFeatures: 10, bias: true)),
      (
        #"{"mixed_convolution":{"_0":{"bias":true,"groups":1,"kernel":1,"out_channels":4,"padding":0,"stride":1},"formats":["int8-pow2","ternary"]}}"#,
        .mixedConvolution(
          Convolution(outChannels: 4, kernel: 1, padding: 0, bias: true), formats: [.int8PowerOfTwo, .ternary])
      ),
      (#"{"activation_quantizer":{"bits":7}}"#, .activationQuantizer(bits: 7)),
    ]
    for (text, expected) in legacy {
      #expect(try JSONDecoder.snakeCase.decode(LayerOperation.self, from: Data(text.utf8)) == expected, "\(text)")
    }
  }

  /// A batch norm asking for constants odimo does not use, or an unknown format, is refused.
  @Test func unsupportedValuesAreRefused() {
    for text in [
      #"{"op":"batch_norm","epsilon":0.001,"momentum":0.1}"#,
      #"{"op":"convolution","out_channels":4,"kernel":1,"stride":1,"padding":0,"groups":1,"bias":false,"weight_quantization":"int4"}"#,
      #"{"op":"softmax"}"#,
    ] {
      #expect(throws: DecodingError.self, "\(text)") {
        try JSONDecoder.snakeCase.decode(LayerOperation.self, from: Data(text.utf8))
      }
    }
  }

  /// Deployed weights of a frozen mixed layer: each channel is an integer multiple of its
  /// step — |code| ≤ 127 on int8 channels (one power-of-two step for the layer), {−1, 0, 1}
  /// on ternary ones — and equals what the layer computes with.
  @Test func deployedWeightsAreOnTheirUnitsGrids() throws {
    let network = Network(MixedConvolutionTests.model(formats: [.int8PowerOfTwo, .ternary]), seed: 3)
    let layer = try #require(network.mixedLayers.first)
    layer.fixedAssignment = [0, 1, 1, 0]
    let deployed = try #require(network.deployedConvolution("conv"))
    #expect(deployed.shape == [4, 2, 3, 3])
    #expect(deployed.channelFormats == [.int8PowerOfTwo, .ternary, .ternary, .int8PowerOfTwo])
    let perChannel = 18
    for channel in 0..<4 {
      let step = try #require(deployed.channelSteps[channel])
      for value in deployed.weight[(channel * perChannel)..<((channel + 1) * perChannel)] {
        let code = value / step
        #expect(code == code.rounded())
        #expect(channel % 3 == 0 ? abs(code) <= 127 : [-1, 0, 1].contains(code))
      }
    }
    #expect(deployed.channelSteps[0] == deployed.channelSteps[3])
    let step = try #require(deployed.channelSteps[0])
    #expect(log2(step) == log2(step).rounded())
  }
}
