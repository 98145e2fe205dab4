import Foundation
import Models

/// Fake quantization (quantize, then dequantize, in float) with straight-through
/// gradients, as used to train for DIANA's 8-bit digital and ternary analog units.
package enum FakeQuantization {
  /// Symmetric signed `bits`-bit quantization with a power-of-two scale
  /// s = 2^⌈log2(max|w| / (2^(bits−1) − 1))⌉, so every weight is representable and the
  /// hardware rescales by shifting. Returns the dequantized values and s.
  /// Gradient: straight through (every value is inside the range by construction).
  package static func symmetricPowerOfTwo(_ values: [Float], bits: Int = 8) -> (values: [Float], scale: Float) {
    let largest = values.map(abs).max() ?? 0
    let levels = Float((1 << (bits - 1)) - 1)
    guard largest > 0 else { return (values.map { _ in 0 }, 1) }
    let scale = Foundation.pow(2, (Foundation.log2(largest / levels)).rounded(.up))
    return (values.map { max(-levels - 1, min(levels, ($0 / scale).rounded())) * scale }, scale)
  }

  /// Ternary codes {−1, 0, +1} per weight: zero below Δ_c = 0.7 × mean|w| of the output
  /// channel (Li & Liu's TWN threshold). `channelSize` is the weights per output channel.
  package static func ternaryCodes(_ values: [Float], channelSize: Int) -> [Float] {
    var codes = [Float](repeating: 0, count: values.count)
    for start in stride(from: 0, to: values.count, by: channelSize) {
      let channel = values[start..<min(values.count, start + channelSize)]
      let threshold = 0.7 * channel.map(abs).reduce(0, +) / Float(channel.count)
      for index in channel.indices where abs(values[index]) > threshold { codes[index] = values[index] > 0 ? 1 : -1 }
    }
    return codes
  }

  /// The scale per channel that best fits the weights to their codes (least squares):
  /// s_c = Σ|w|·[code ≠ 0] / Σ[code ≠ 0]; a starting value for the learnable scale.
  package static func ternaryScales(_ values: [Float], codes: [Float], channelSize: Int) -> [Float] {
    stride(from: 0, to: values.count, by: channelSize).map { start in
      let range = start..<min(values.count, start + channelSize)
      let active = range.filter { codes[$0] != 0 }
      return active.isEmpty ? 0 : active.map { abs(values[$0]) }.reduce(0, +) / Float(active.count)
    }
  }

  /// PACT (Choi et al. 2018) for unsigned activations: clip to [0, α], quantize to
  /// `bits` bits. Gradients: d/dx = [0 < x < α], d/dα = [x ≥ α] (straight through the rounding).
  package static func pact(_ x: Float, alpha: Float, bits: Int = 7) -> Float {
    let levels = Float((1 << bits) - 1)
    let clipped = max(0, min(alpha, x))
    return (clipped * levels / alpha).rounded() * alpha / levels
  }

  /// Bias quantized to 32-bit integers at scale s_w × s_a (what integer hardware adds).
  package static func quantizeBias(_ bias: [Float], weightScale: Float, activationScale: Float) -> [Float] {
    let scale = weightScale * activationScale
    let limit = Float(Int32.max)
    return bias.map { max(-limit, min(limit, ($0 / scale).rounded())) * scale }
  }

  /// Folds batch normalisation into the preceding convolution for deployment:
  /// w' = w·γ/√(σ² + ε) per output channel, b' = (b − μ)·γ/√(σ² + ε) + β.
  package static func foldBatchNorm(
    weight: [Float], bias: [Float]?, gamma: [Float], beta: [Float], mean: [Float], variance: [Float],
    epsilon: Float = BatchNormalization.epsilon
  ) -> (weight: [Float], bias: [Float]) {
    let channels = gamma.count
    let perChannel = weight.count / channels
    var folded = weight
    var foldedBias = [Float](repeating: 0, count: channels)
    for c in 0..<channels {
      let factor = gamma[c] / (variance[c] + epsilon).squareRoot()
      for index in (c * perChannel)..<((c + 1) * perChannel) { folded[index] *= factor }
      foldedBias[c] = ((bias?[c] ?? 0) - mean[c]) * factor + beta[c]
    }
    return (folded, foldedBias)
  }
}
