import CDNNL
import Foundation

/// Multiplies every output channel by a mask value, y[n,c,h,w] = x[n,c,h,w]·m[c], with
/// gradients for both the input and the mask (d/dm_c = Σ g·x over n, h, w). The
/// supernet mixes alternative operators through it. oneDNN does the work in the input's
/// own (blocked) layout — a broadcast multiply, and for d/dm a multiply and a sum
/// reduction — so no reorder is needed around it and every core takes part.
final class ChannelMaskKernel: Kernel {
  let mask: Parameter
  var parameters: [Parameter] { [mask] }
  private var savedInput: Tensor?
  private var built: (layout: MemoryDescriptor, scale: Primitive, block: Int?)?

  init(name: String, channels: Int) {
    mask = Parameter(
      name: "\(name).mask", dims: [channels], decays: false, initial: .init(repeating: 1, count: channels))
  }

  /// Whether the mask switches off every channel (the network then skips its branch).
  var isAllZero: Bool {
    let values = mask.value.buffer
    return (0..<mask.value.elementCount).allSatisfy { values[$0] == 0 }
  }

  /// The broadcast multiply for `layout`, and the layout's `channelBlock` (nil for layouts
  /// it does not know, which the mask gradient reorders to plain).
  private func build(_ layout: MemoryDescriptor) throws -> (scale: Primitive, block: Int?) {
    if let built, built.layout == layout { return (built.scale, built.block) }
    let channels = layout.dims[1]
    var data = layout.raw
    // oneDNN 2.6 has a fast broadcast only when the per-channel operand shares the
    // data's channel blocking.
    let maskDims = [1, channels] + [Int](repeating: 1, count: layout.dims.count - 2)
    let block = layout.channelBlock
    var perChannel = MemoryDescriptor.plain(maskDims).raw
    for tag in [dnnl_aBcd16b, dnnl_aBcd8b] where layout.dims.count == 4 && layout == MemoryDescriptor(layout.dims, tag)
    {
      perChannel = MemoryDescriptor(maskDims, tag).raw
    }
    var scaleDesc = dnnl_binary_desc_t()
    try check(dnnl_binary_desc_init(&scaleDesc, dnnl_binary_mul, &data, &perChannel, &data), "mask multiply")
    let scale = try withDescriptor(&scaleDesc) { try Primitive($0, name: "mask multiply") }
    built = (layout, scale, block)
    return (scale, block)
  }

  /// The mask as a [1, C, 1, 1] tensor in the broadcast operand's layout.
  private func maskTensor(_ rank: Int) -> Tensor {
    let plain = Tensor(
      dims: [1, mask.value.elementCount] + [Int](repeating: 1, count: rank - 2), values: mask.value.values())
    guard let built else { return plain }
    return plain.reordered(to: built.scale.md(dnnl_query_src_md, 1))
  }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let input = inputs[0]
    let primitives = try build(input.descriptor)
    let output = Tensor(input.descriptor)
    primitives.scale.execute([
      (DNNL_ARG_SRC_0, input), (DNNL_ARG_SRC_1, maskTensor(input.dims.count)), (DNNL_ARG_DST, output),
    ])
    savedInput = training ? input : nil
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    guard let savedInput else {
      throw EngineError.kernelMisuse(kernel: "channel mask", detail: "backward without a training forward pass")
    }
    let primitives = try build(savedInput.descriptor)
    // One pass over the (possibly channel-blocked) buffers gives both dx = g·m_c and
    // d/dm_c = Σ g·x — oneDNN 2.6's reduction has only a slow reference kernel here.
    var (gradients, inputs, block) = (gradient.reordered(to: savedInput.descriptor), savedInput, primitives.block ?? 1)
    if primitives.block == nil {
      gradients = gradient.reordered(to: .plain(gradient.dims))
      inputs = savedInput.reordered(to: .plain(gradient.dims))
      block = 1
    }
    let output = Tensor(inputs.descriptor)
    let dims = gradient.dims
    let (batch, channels) = (dims[0], dims[1])
    let plane = dims.dropFirst(2).reduce(1, *)
    let blocks = (channels + block - 1) / block
    let (gBuffer, xBuffer, outBuffer) = (gradients.buffer, inputs.buffer, output.buffer)
    // Padding lanes of the last block get factor 0 (they must stay zero).
    var factors = [Float](repeating: 0, count: blocks * block)
    for c in 0..<channels { factors[c] = mask.value.buffer[c] }
    var totals = [Float](repeating: 0, count: blocks * block)
    factors.withUnsafeBufferPointer { factor in
      totals.withUnsafeMutableBufferPointer { total in
        for n in 0..<batch {
          for b in 0..<blocks {
            let base = (n * blocks + b) * plane * block
            let lanes = b * block
            for position in 0..<plane {
              let start = base + position * block
              for lane in 0..<block {
                let value = gBuffer[start + lane]
                total[lanes + lane] += value * xBuffer[start + lane]
                outBuffer[start + lane] = value * factor[lanes + lane]
              }
            }
          }
        }
      }
    }
    for c in 0..<channels { mask.gradient.buffer[c] = totals[c] }
    return [output]
  }
}

/// PACT activation quantizer with a learnable clip α (one per layer, initialised to 6):
/// clip to [0, α] and quantize to `bits` bits, straight-through rounding. Elementwise, so
/// it runs on the buffer in whatever layout the producer chose (blocked padding is zero
/// and stays zero), without reorders.
final class ActivationQuantizerKernel: Kernel {
  let alpha: Parameter
  let bits: Int
  var parameters: [Parameter] { [alpha] }
  private var savedInput: Tensor?
  /// While set, forward applies only the ReLU (no clip, no rounding) and records the clip
  /// that keeps `observing` (a fraction, e.g. 0.999) of its positive values unclipped.
  var observing: Double?
  private(set) var observedClip: Float?

  init(name: String, bits: Int) {
    self.bits = bits
    alpha = Parameter(name: "\(name).alpha", dims: [1], decays: false, initial: [6])
  }

  /// Adding and subtracting 1.5·2²³ rounds a float below 2²² to the nearest integer.
  static let roundingMagic: Float = 12_582_912

  /// The `fraction` quantile of the positive values (from at most ~65,000 of them).
  static func quantile(of tensor: Tensor, fraction: Double) -> Float? {
    let count = tensor.descriptor.byteCount / 4
    let stride = max(1, count / 65_536)
    let values = tensor.buffer.baseAddress!
    var positive: [Float] = []
    for index in Swift.stride(from: 0, to: count, by: stride) where values[index] > 0 { positive.append(values[index]) }
    guard !positive.isEmpty else { return nil }
    positive.sort()
    return positive[min(positive.count - 1, Int(Double(positive.count - 1) * fraction))]
  }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let input = inputs[0]
    let output = Tensor(input.descriptor)
    let (x, y) = (UnsafeMutablePointer(input.buffer.baseAddress!), output.buffer.baseAddress!)
    if let observing {
      observedClip = Self.quantile(of: input, fraction: observing)
      // The quantizer stands in for the ReLU: passing negatives on would calibrate every
      // later clip on a network without ReLUs, whose activations grow block after block
      // (a folded ResNet-20's last clip at ~7,000 instead of ~10: all its levels zero).
      Parallel.split(input.descriptor.byteCount / 4) { range in
        for index in range { y[index] = x[index] > 0 ? x[index] : 0 }
      }
      return output
    }
    let clip = max(alpha.value.buffer[0], 1e-3)
    let levels = Float((1 << bits) - 1)
    let (scale, step) = (levels / clip, clip / levels)
    // At most 255 levels: bfloat16 convolutions can read them exactly (`Tensor.grid`).
    output.grid = bits <= 8 ? step : nil
    Parallel.split(input.descriptor.byteCount / 4) { range in
      for index in range {
        // Written so it vectorises: a select (NaN → 0) for the clip, and rounding to nearest
        // by the 1.5·2²³ trick (exact for 0 ≤ v < 2²²) instead of a libm call per element.
        let value = x[index]
        let clipped = value > 0 ? (value < clip ? value : clip) : 0
        y[index] = ((clipped * scale + Self.roundingMagic) - Self.roundingMagic) * step
      }
    }
    savedInput = training ? input : nil
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    guard let savedInput else {
      throw EngineError.kernelMisuse(kernel: "activation quantizer", detail: "backward without a training forward pass")
    }
    let g = gradient.reordered(to: savedInput.descriptor)
    let output = Tensor(savedInput.descriptor)
    let clip = max(alpha.value.buffer[0], 1e-3)
    let (x, dy, dx) = (savedInput.buffer.baseAddress!, g.buffer.baseAddress!, output.buffer.baseAddress!)
    // One pass, eight lanes at a time, so neither the masks nor the clip's gradient sum
    // serialise. It stays on one thread: split, the sum's order (and α's gradient, bit for
    // bit) would change, and a second pass for the sum costs more than the split gains.
    var partial = SIMD8<Float>()
    let count = savedInput.descriptor.byteCount / 4
    let (zero, lower, upper) = (SIMD8<Float>(), SIMD8<Float>(repeating: 0), SIMD8<Float>(repeating: clip))
    var index = 0
    while index + 8 <= count {
      let value = UnsafeRawPointer(x + index).loadUnaligned(as: SIMD8<Float>.self)
      let gradient = UnsafeRawPointer(dy + index).loadUnaligned(as: SIMD8<Float>.self)
      let inside = (value .> lower) .& (value .< upper)
      UnsafeMutableRawPointer(dx + index).storeBytes(
        of: zero.replacing(with: gradient, where: inside), as: SIMD8<Float>.self)
      partial += zero.replacing(with: gradient, where: value .>= upper)
      index += 8
    }
    var alphaGradient = partial.sum()
    while index < count {
      dx[index] = x[index] > 0 && x[index] < clip ? dy[index] : 0
      alphaGradient += x[index] >= clip ? dy[index] : 0
      index += 1
    }
    alpha.gradient.buffer[0] = alphaGradient
    return [output]
  }
}
