import Foundation
import Models
import Support
import TestSupport
import Testing

@testable import Engine

@Suite struct QuantizationTests {
  @Test func powerOfTwoEightBitReferenceValues() {
    // max|w| = 1 → 1/127 → 2^⌈log2(0.00787)⌉ = 2^−6.
    let (values, scale) = FakeQuantization.symmetricPowerOfTwo([0.5, -1.0, 0.26, 0.001], bits: 8)
    #expect(scale == 0.015625)
    #expect(values == [0.5, -1.0, 0.265625, 0])
    #expect(FakeQuantization.symmetricPowerOfTwo([0, 0]).values == [0, 0])
  }

  @Test func ternaryCodesAndScales() {
    // Channel 0: mean|w| = 0.5 → Δ = 0.35; channel 1: mean|w| = 0.25 → Δ = 0.175.
    let weights: [Float] = [0.9, -0.4, 0.3, 0.4, 0.2, -0.2, 0.1, 0.5]
    let codes = FakeQuantization.ternaryCodes(weights, channelSize: 4)
    #expect(codes == [1, -1, 0, 1, 1, -1, 0, 1])
    let scales = FakeQuantization.ternaryScales(weights, codes: codes, channelSize: 4)
    #expect(abs(scales[0] - 0.5666667) < 1e-6 && abs(scales[1] - 0.3) < 1e-6)
  }

  @Test func pactClipsAndQuantizes() {
    #expect(FakeQuantization.pact(-1, alpha: 6) == 0)
    #expect(FakeQuantization.pact(7, alpha: 6) == 6)
    // 7 bits: 127 levels over [0, 6].
    #expect(abs(FakeQuantization.pact(3.01, alpha: 6) - (3.01 * 127 / 6).rounded() * 6 / 127) < 1e-6)
  }

  /// Calibration runs the quantizers as the ReLUs they replace (unclipped, unrounded):
  /// behind a ReLU, a convolution whose weights are all −1 has no positive output, so the
  /// second clip keeps its initial value. Passing the first quantizer's negatives on (a
  /// network without ReLUs) would set it, as it blew up a folded ResNet-20's clips.
  @Test func calibrationKeepsTheReLU() throws {
    var b = ArchitectureBuilder(name: "calibrate", input: FeatureShape(channels: 2, height: 4, width: 4), classes: 2)
    b.add("conv1", .convolution(Convolution(outChannels: 3, kernel: 3)))
    b.add("act1", .activationQuantizer(bits: 7))
    b.add("conv2", .convolution(Convolution(outChannels: 2, kernel: 1)))
    b.add("act2", .activationQuantizer(bits: 7))
    b.add("gap", .globalAveragePool)
    b.add("flatten", .flatten)
    let network = Network(b.build(), seed: 4)
    let conv2 = try #require(network.parameters.first { $0.name == "conv2.weight" })
    for index in 0..<conv2.value.elementCount { conv2.value.buffer[index] = -1 }
    var generator = SplitMix64(seed: 5)
    let input = Tensor(dims: [2, 2, 4, 4], values: (0..<64).map { _ in Float(generator.nextUnit() * 2 - 1) })
    let act1 = try #require(network.parameters.first { $0.name == "act1.alpha" })
    let act2 = try #require(network.parameters.first { $0.name == "act2.alpha" })
    try network.calibrateActivationClips(on: input, fraction: 1)
    #expect(act1.value.buffer[0] != 6)
    #expect(act2.value.buffer[0] == 6)
  }

  @Test func biasQuantizationUsesTheProductScale() {
    let quantized = FakeQuantization.quantizeBias([0.1234], weightScale: 0.01, activationScale: 0.1)
    #expect(abs(quantized[0] - 0.123) < 1e-6)
  }

  @Test func foldedBatchNormComputesTheSameFunction() throws {
    var b = ArchitectureBuilder(name: "fold", input: FeatureShape(channels: 3, height: 5, width: 5), classes: 2)
    b.add("conv", .convolution(Convolution(outChannels: 4, kernel: 3, bias: true)))
    b.add("conv.bn", .batchNorm)
    let network = Network(b.build(), seed: 4)
    // Non-trivial statistics and affine parameters.
    var generator = SplitMix64(seed: 2)
    for parameter in network.parameters where parameter.name.hasPrefix("conv.bn") || parameter.name == "conv.bias" {
      for index in 0..<parameter.value.elementCount {
        parameter.value.buffer[index] = Float(generator.nextUnit()) + 0.5
      }
    }
    for (_, tensor) in network.buffers {
      for index in 0..<tensor.elementCount { tensor.buffer[index] = Float(generator.nextUnit()) + 0.2 }
    }
    let input = Tensor(dims: [2, 3, 5, 5], values: (0..<150).map { _ in Float(generator.nextUnit() * 2 - 1) })
    let reference = try network.forward(input, training: false).values()

    let values = network.snapshot()
    let folded = FakeQuantization.foldBatchNorm(
      weight: values["conv.weight"] ?? [], bias: values["conv.bias"], gamma: values["conv.bn.weight"] ?? [],
      beta: values["conv.bn.bias"] ?? [], mean: values["conv.bn.running_mean"] ?? [],
      variance: values["conv.bn.running_var"] ?? [])
    var plain = ArchitectureBuilder(name: "folded", input: FeatureShape(channels: 3, height: 5, width: 5), classes: 2)
    plain.add("conv", .convolution(Convolution(outChannels: 4, kernel: 3, bias: true)))
    let foldedNetwork = Network(plain.build(), seed: 0)
    try foldedNetwork.restore(["conv.weight": folded.weight, "conv.bias": folded.bias])
    let output = try foldedNetwork.forward(input, training: false).values()
    #expect(zip(reference, output).allSatisfy { abs($0 - $1) < 1e-4 })
  }

  /// The mask works in the convolution's blocked layout (20 channels: a full block of 16
  /// and a padded one on AVX-512 machines, 8 + 8 + a padded block on AVX2): its gradient
  /// still matches finite differences on every channel.
  @Test func maskGradientMatchesFiniteDifferencesInBlockedLayouts() throws {
    var b = ArchitectureBuilder(name: "mask", input: FeatureShape(channels: 3, height: 6, width: 6), classes: 4)
    b.add("conv", .convolution(Convolution(outChannels: 20, kernel: 3)))
    b.add("mask", .channelMask)
    b.add("gap", .globalAveragePool)
    b.add("flatten", .flatten)
    b.add("classifier", .linear(outFeatures: 4, bias: true))
    let network = Network(b.build(), seed: 2)
    let mask = try #require(network.parameters.first { $0.name == "mask.mask" })
    for c in 0..<20 { mask.value.buffer[c] = Float(c % 3) * 0.5 - 0.2 }
    var generator = SplitMix64(seed: 9)
    let input = Tensor(dims: [2, 3, 6, 6], values: (0..<216).map { _ in Float(generator.nextUnit() * 2 - 1) })
    let labels: [Int32] = [1, 3]
    func loss() throws -> Float {
      CrossEntropy().evaluate(logits: try network.forward(input, training: true).values(), labels: labels, classes: 4)
        .loss * 2
    }
    let result = CrossEntropy().evaluate(
      logits: try network.forward(input, training: true).values(), labels: labels, classes: 4)
    try network.backward(Tensor(dims: [2, 4], values: result.gradient.map { $0 * 2 }))
    let analytic = Array(mask.gradient.buffer.prefix(20))
    for c in 0..<20 {
      let numeric = try centralDifference(mask.value.buffer, at: c, step: 1e-2) {
        Double(try loss())
      }
      #expect(derivativesAgree(numeric, Double(analytic[c]), relative: 1e-2, absolute: 1e-3), "channel \(c)")
    }
  }

  /// Mask, PACT clip and ternary scale gradients against finite differences. PACT runs
  /// at 16 bits so its rounding is negligible; the ternary convolution's weights use a
  /// straight-through gradient, which finite differences cannot check, so they are skipped.
  @Test func maskClipAndScaleGradientsMatchFiniteDifferences() throws {
    var b = ArchitectureBuilder(name: "quant", input: FeatureShape(channels: 2, height: 4, width: 4), classes: 3)
    b.add("conv", .convolution(Convolution(outChannels: 3, kernel: 3, weightQuantization: .ternary)))
    b.add("mask", .channelMask)
    b.add("act", .activationQuantizer(bits: 16))
    b.add("gap", .globalAveragePool)
    b.add("flatten", .flatten)
    b.add("classifier", .linear(outFeatures: 3, bias: true))
    let network = Network(b.build(), seed: 8)
    let alpha = try #require(network.parameters.first { $0.name == "act.alpha" })
    alpha.value.buffer[0] = 0.3  // so some activations clip
    let mask = try #require(network.parameters.first { $0.name == "mask.mask" })
    for c in 0..<3 { mask.value.buffer[c] = [0.7, 1.3, -0.4][c] }
    var generator = SplitMix64(seed: 3)
    let input = Tensor(dims: [3, 2, 4, 4], values: (0..<96).map { _ in Float(generator.nextUnit() * 2 - 1) })
    let labels: [Int32] = [0, 1, 2]
    func loss() throws -> Float {
      let logits = try network.forward(input, training: true).values()
      return CrossEntropy().evaluate(logits: logits, labels: labels, classes: 3).loss * 3
    }
    let logits = try network.forward(input, training: true).values()
    let result = CrossEntropy().evaluate(logits: logits, labels: labels, classes: 3)
    try network.backward(Tensor(dims: [3, 3], values: result.gradient.map { $0 * 3 }))
    for name in ["mask.mask", "act.alpha", "conv.ternary_scale"] {
      let parameter = try #require(network.parameters.first { $0.name == name })
      let analytic = Array(parameter.gradient.buffer.prefix(parameter.gradient.elementCount))
      for index in 0..<parameter.value.elementCount {
        let difference = try centralDifference(parameter.value.buffer, at: index, step: 1e-3) { Double(try loss()) }
        // The ternary scale's gradient is scaled by 1/(weights per channel): 2·3·3 here.
        let numeric = difference * (name == "conv.ternary_scale" ? 1.0 / 18 : 1)
        #expect(
          derivativesAgree(numeric, Double(analytic[index]), relative: 2e-2, absolute: 2e-3),
          "\(name)[\(index)]: numeric \(numeric), backward \(analytic[index])")
      }
    }
  }

  @Test func adamAndClippingAndSchedules() throws {
    let parameter = Parameter(name: "p", dims: [2], decays: true, initial: [1, -1])
    let adam = Adam(parameters: [parameter], learningRate: 0.1)
    parameter.gradient.buffer[0] = 0.5
    parameter.gradient.buffer[1] = -2
    adam.step()
    // First Adam step moves each weight by lr × sign(g) (bias-corrected moments).
    #expect(abs(parameter.value.buffer[0] - 0.9) < 1e-5 && abs(parameter.value.buffer[1] + 0.9) < 1e-5)
    parameter.gradient.buffer[0] = 3
    parameter.gradient.buffer[1] = 4
    #expect(clipGradients([parameter], maxNorm: 1) == 5)
    #expect(abs(parameter.gradient.buffer[0] - 0.6) < 1e-5 && abs(parameter.gradient.buffer[1] - 0.8) < 1e-5)
    #expect(LearningRateSchedule.step(every: 2, factor: 0.5).rate(base: 1, epoch: 5) == 0.25)
    #expect(abs(LearningRateSchedule.exponential(factor: 0.9).rate(base: 1, epoch: 2) - 0.81) < 1e-6)
    #expect(abs(LearningRateSchedule.cosine(epochs: 10).rate(base: 1, epoch: 5) - 0.5) < 1e-6)
    let decoupled = Parameter(name: "d", dims: [1], decays: true, initial: [1])
    let adamW = Adam(parameters: [decoupled], learningRate: 0.1, weightDecay: 0.5, decoupled: true)
    adamW.step()  // zero gradient: only the decay acts, w ← w − lr·λ·w
    #expect(abs(decoupled.value.buffer[0] - 0.95) < 1e-6)
  }
}

@Suite struct DepthwiseGradientTests {
  /// odimo's own depthwise weight gradient against a direct evaluation of its definition.
  @Test(arguments: [(5, 1), (5, 2), (2, 1), (7, 2)])
  func matchesTheDefinition(size: Int, stride: Int) {
    let (batch, channels, k, padding) = (3, 6, 3, 1)
    let outSize = (size + 2 * padding - k) / stride + 1
    var generator = SplitMix64(seed: 11)
    let x = (0..<(batch * channels * size * size)).map { _ in Float(generator.nextUnit() - 0.5) }
    let dy = (0..<(batch * channels * outSize * outSize)).map { _ in Float(generator.nextUnit() - 0.5) }
    let result = Tensor(zeros: [channels, 1, 1, k, k])
    ConvolutionKernel.depthwiseWeightGradient(
      input: Tensor(dims: [batch, channels, size, size], values: x),
      gradient: Tensor(dims: [batch, channels, outSize, outSize], values: dy),
      spec: Convolution(outChannels: channels, kernel: k, stride: stride, padding: padding, groups: channels),
      into: result)
    for c in 0..<channels {
      for ky in 0..<k {
        for kx in 0..<k {
          var expected: Float = 0
          for n in 0..<batch {
            for oy in 0..<outSize {
              for ox in 0..<outSize {
                let iy = oy * stride - padding + ky
                let ix = ox * stride - padding + kx
                guard iy >= 0, iy < size, ix >= 0, ix < size else { continue }
                expected +=
                  dy[((n * channels + c) * outSize + oy) * outSize + ox]
                  * x[((n * channels + c) * size + iy) * size + ix]
              }
            }
          }
          #expect(abs(result.buffer[(c * k + ky) * k + kx] - expected) < 1e-5)
        }
      }
    }
  }
}

@Suite struct ParameterGroupTests {
  @Test func groupsHaveTheirOwnRatesAndDecay() {
    let weights = Parameter(name: "w", dims: [1], decays: true, initial: [1])
    let alphas = Parameter(name: "alpha", dims: [1], decays: false, initial: [1])
    weights.gradient.buffer[0] = 1
    alphas.gradient.buffer[0] = 1
    let sgd = SGD(
      groups: [ParameterGroup([weights]), ParameterGroup([alphas], learningRateScale: 10, weightDecay: 0.5)],
      learningRate: 0.01, momentum: 0, weightDecay: 0.1)
    sgd.step()
    let expectedWeight: Float = 1 - 0.01 * 1.1
    let expectedAlpha: Float = 1 - 0.1 * 1.5
    #expect(abs(weights.value.buffer[0] - expectedWeight) < 1e-6)
    #expect(abs(alphas.value.buffer[0] - expectedAlpha) < 1e-6)
  }
}
