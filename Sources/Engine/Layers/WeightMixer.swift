import Foundation
import Models

/// Search-time control of a layer whose output channels are each computed in one of
/// several weight formats (one per compute unit): the handle the ODiMO search uses.
package protocol MixedLayer: AnyObject {
  var name: String { get }
  /// Number of alternatives (formats / units).
  var alternatives: Int { get }
  var outChannels: Int { get }
  /// The logits α, [alternatives × outChannels], trained by the search's own optimizer.
  var logits: Parameter { get }
  /// Softmax temperature T of p = softmax(α / T) over alternatives, per channel.
  var temperature: Double { get set }
  /// Σ_c p[a][c] per alternative: the soft channel count the cost model sees.
  var softCounts: [Double] { get }
  /// The most probable alternative of every channel (the discrete mapping), or the
  /// frozen one when set.
  var assignment: [Int] { get }
  /// A frozen mapping (one alternative per channel) used instead of the softmax; nil mixes.
  var fixedAssignment: [Int]? { get set }
  /// d(extra loss)/d(soft count) per alternative (λ × the cost gradient); added to the
  /// logits' gradient by the next backward pass, then cleared.
  var countGradient: [Double] { get set }
  /// Starts the search with every channel on `alternative` (its logits raised by 3, so
  /// p ≈ 0.95 at temperature 1).
  func favour(_ alternative: Int)
}

/// Turns master weights into the weights a convolution computes with: fake-quantized in
/// one format, or mixed per output channel over several formats,
/// W[c] = Σ_a p[a][c]·Q_a(w)[c], p = softmax(α[·][c] / T). Gradients: straight through
/// to w (Σ_a p = 1), to each ternary scale, and to α (task and cost terms).
final class WeightMixer: MixedLayer {
  let name: String
  let formats: [WeightQuantization?]
  let outChannels: Int
  let logits: Parameter
  /// Learnable per-channel scale of the ternary format, if one of the formats is ternary.
  let ternaryScale: Parameter?
  var temperature: Double = 1
  var fixedAssignment: [Int]?
  var countGradient: [Double]
  var alternatives: Int { formats.count }

  // The last forward pass, for backward.
  private var quantized: [[Float]] = []
  private var codes: [Float] = []
  private var ternaryScales: [Float] = []
  private var probabilities: [[Float]] = []
  private var mixed: [Float] = []

  init(name: String, formats: [WeightQuantization?], outChannels: Int, initialWeights: [Float]) {
    self.name = name
    self.formats = formats
    self.outChannels = outChannels
    countGradient = [Double](repeating: 0, count: formats.count)
    // Logits start equal with a tiny deterministic spread: exactly equal logits are a
    // stationary point for some cost terms (and |α| = 0 has no gradient in the thermometric form).
    logits = Parameter(
      name: "\(name).alpha", dims: [formats.count, outChannels], decays: false,
      initial: (0..<(formats.count * outChannels)).map { Float(($0 * 7919) % 17) * 1e-3 })
    if formats.contains(.ternary) {
      let perChannel = initialWeights.count / outChannels
      let codes = FakeQuantization.ternaryCodes(initialWeights, channelSize: perChannel)
      ternaryScale = Parameter(
        name: "\(name).ternary_scale", dims: [outChannels], decays: false,
        initial: FakeQuantization.ternaryScales(initialWeights, codes: codes, channelSize: perChannel))
    } else {
      ternaryScale = nil
    }
  }

  func favour(_ alternative: Int) {
    guard alternative < formats.count else { return }
    for c in 0..<outChannels { logits.value.buffer[alternative * outChannels + c] += 3 }
  }

  /// Refits the ternary scales to `weights` (after weights were replaced, e.g. by folded ones).
  func fitScales(to weights: [Float]) {
    guard let ternaryScale else { return }
    let perChannel = weights.count / outChannels
    let codes = FakeQuantization.ternaryCodes(weights, channelSize: perChannel)
    let scales = FakeQuantization.ternaryScales(weights, codes: codes, channelSize: perChannel)
    for (index, scale) in scales.enumerated() { ternaryScale.value.buffer[index] = scale }
  }

  var parameters: [Parameter] { (formats.count > 1 ? [logits] : []) + (ternaryScale.map { [$0] } ?? []) }

  /// p[a][c] under the current temperature or frozen assignment.
  func channelProbabilities() -> [[Float]] {
    let count = formats.count
    if count == 1 { return [[Float](repeating: 1, count: outChannels)] }
    if let fixed = fixedAssignment {
      return (0..<count).map { a in fixed.map { $0 == a ? 1 : 0 } }
    }
    var p = [[Float]](repeating: [Float](repeating: 0, count: outChannels), count: count)
    let t = Float(max(temperature, 1e-6))
    for c in 0..<outChannels {
      let scaled = (0..<count).map { logits.value.buffer[$0 * outChannels + c] / t }
      let largest = scaled.max() ?? 0
      let exps = scaled.map { Foundation.exp($0 - largest) }
      let total = exps.reduce(0, +)
      for a in 0..<count { p[a][c] = exps[a] / total }
    }
    return p
  }

  var softCounts: [Double] { channelProbabilities().map { $0.reduce(0) { $0 + Double($1) } } }

  var assignment: [Int] {
    if let fixedAssignment { return fixedAssignment }
    return (0..<outChannels).map { c in
      (0..<formats.count).max { logits.value.buffer[$0 * outChannels + c] < logits.value.buffer[$1 * outChannels + c] }
        ?? 0
    }
  }

  /// The effective weights for `values` (plain, output channel major).
  func mix(_ values: [Float]) -> [Float] {
    let perChannel = values.count / outChannels
    quantized = formats.map { format in
      switch format {
      case nil: return values
      case .int8PowerOfTwo: return FakeQuantization.symmetricPowerOfTwo(values, bits: 8).values
      case .ternary:
        codes = FakeQuantization.ternaryCodes(values, channelSize: perChannel)
        // A scale is a magnitude: one pushed below zero would flip the channel's signs.
        let scales = (ternaryScale?.value.values() ?? []).map { max($0, 0) }
        ternaryScales = scales
        return codes.indices.map { codes[$0] * scales[$0 / perChannel] }
      }
    }
    probabilities = channelProbabilities()
    if formats.count == 1 {
      mixed = quantized[0]
      return mixed
    }
    mixed = [Float](repeating: 0, count: values.count)
    for a in 0..<formats.count {
      for index in values.indices { mixed[index] += probabilities[a][index / perChannel] * quantized[a][index] }
    }
    return mixed
  }

  /// The last `mix` as weights bfloat16 holds exactly, times a factor per output channel
  /// (mixed[c] = operand[c]·factor[c], exactly), when every channel is in one quantized
  /// format: int8 (levels × a power of two, exact as they are: factor 1) or ternary (codes
  /// −1/0/+1, factor the channel's scale). Nil while channels are soft-mixed or float.
  func exactOperand() -> (weights: [Float], channelScales: [Float])? {
    let chosen: [Int]
    if formats.count == 1 {
      chosen = [Int](repeating: 0, count: outChannels)
    } else if let fixedAssignment {
      chosen = fixedAssignment
    } else {
      return nil
    }
    let perChannel = mixed.count / outChannels
    var (operand, factors) = (mixed, [Float](repeating: 1, count: outChannels))
    for c in 0..<outChannels {
      switch formats[chosen[c]] {
      case nil: return nil
      case .int8PowerOfTwo: continue
      case .ternary:
        // A zero scale leaves the channel all zeros: factor 1 keeps it so.
        guard ternaryScales[c] > 0 else { continue }
        factors[c] = ternaryScales[c]
        let range = (c * perChannel)..<((c + 1) * perChannel)
        operand[range] = codes[range]
      }
    }
    return (operand, factors)
  }

  /// Gradients from d loss / d effective weights (`gradient`, plain): the caller passes
  /// it on to the master weights unchanged; this sets the ternary scale's and the
  /// logits' gradients.
  func backward(_ gradient: UnsafeMutableBufferPointer<Float>) {
    let perChannel = gradient.count / outChannels
    if let ternaryScale, let ternary = formats.firstIndex(of: .ternary) {
      for c in 0..<outChannels {
        var total: Float = 0
        for index in (c * perChannel)..<((c + 1) * perChannel) { total += gradient[index] * codes[index] }
        // Scaled by 1/(weights per channel), as LSQ scales its step sizes' gradients: the
        // scale moves like one of the weights it multiplies. Its raw gradient sums a whole
        // channel (576 terms on a 3×3×64 layer) and at the weights' learning rate drove a
        // folded, all-ternary ResNet-20's classifier scales to ±900 in one epoch.
        ternaryScale.gradient.buffer[c] = total * probabilities[ternary][c] / Float(perChannel)
      }
    }
    guard formats.count > 1 else { return }
    let t = Float(max(temperature, 1e-6))
    for c in 0..<outChannels {
      // Task term: dL/dα[a][c] = p[a][c]/T · Σ_i g_i (Q_a[i] − W[i]).
      // Cost term: dC/dα[a][c] = p[a][c]/T · (g_a − Σ_b g_b p[b][c]), g = countGradient.
      let expectedCount = (0..<formats.count).reduce(Float(0)) { $0 + Float(countGradient[$1]) * probabilities[$1][c] }
      for a in 0..<formats.count {
        var task: Float = 0
        if fixedAssignment == nil {
          for index in (c * perChannel)..<((c + 1) * perChannel) {
            task += gradient[index] * (quantized[a][index] - mixed[index])
          }
        }
        let cost = Float(countGradient[a]) - expectedCount
        logits.gradient.buffer[a * outChannels + c] =
          fixedAssignment == nil ? probabilities[a][c] / t * (task + cost) : 0
      }
    }
    countGradient = [Double](repeating: 0, count: formats.count)
  }
}

extension WeightMixer {
  /// The weights a deployed layer holds for master weights `values`: every output channel
  /// quantized in the one format its alternative (frozen, else most probable) computes in,
  /// with that channel's quantization step (nil for float channels).
  func deployed(_ values: [Float]) -> (weights: [Float], formats: [WeightQuantization?], steps: [Float?]) {
    let perChannel = values.count / outChannels
    let quantized = formats.map { format -> (values: [Float], steps: [Float?]) in
      switch format {
      case nil: return (values, [Float?](repeating: nil, count: outChannels))
      case .int8PowerOfTwo:
        let (levels, scale) = FakeQuantization.symmetricPowerOfTwo(values, bits: 8)
        return (levels, [Float?](repeating: scale, count: outChannels))
      case .ternary:
        let codes = FakeQuantization.ternaryCodes(values, channelSize: perChannel)
        let scales = (ternaryScale?.value.values() ?? []).map { max($0, 0) }
        return (codes.indices.map { codes[$0] * scales[$0 / perChannel] }, scales.map { $0 })
      }
    }
    let chosen = assignment
    var weights = [Float](repeating: 0, count: values.count)
    for c in 0..<outChannels {
      let range = (c * perChannel)..<((c + 1) * perChannel)
      weights[range] = quantized[chosen[c]].values[range]
    }
    return (weights, chosen.map { formats[$0] }, chosen.indices.map { quantized[chosen[$0]].steps[$0] })
  }
}
