import CDNNL
import Models

/// Gradients computed outside oneDNN's backward primitives, where oneDNN 2.6 is slow:
/// depthwise weight gradients (a GEMM fallback) and both gradients of full 3×3
/// convolutions on maps under 4×4 (direct kernels that run every tap over the padding).
extension ConvolutionKernel {
  /// The output positions along one axis whose tap lands inside the input (of `extent`
  /// positions), so inner loops carry no bounds tests.
  static func validOutputs(tap: Int, outputs: Int, extent: Int, spec: Convolution) -> Range<Int> {
    let (step, padding) = (spec.stride, spec.padding)
    let low = max(0, (padding - tap + step - 1) / step)
    let high = min(outputs - 1, (extent - 1 + padding - tap) / step)
    return low <= high ? low..<(high + 1) : 0..<0
  }

  /// dW[c, ky, kx] = Σ_n Σ_(oy, ox) dY[n, c, oy, ox] · X[n, c, oy·s − p + ky, ox·s − p + kx],
  /// computed on channels-last copies (the inner loop runs over contiguous channels, which
  /// vectorizes on MobileNetV1's 1×1…4×4 maps where a loop over positions would not) on the
  /// calling thread (oneDNN's OpenMP workers spin after each primitive, so other threads
  /// would compete with them).
  static func depthwiseWeightGradient(input: Tensor, gradient: Tensor, spec: Convolution, into result: Tensor) {
    let x = input.reordered(to: MemoryDescriptor(input.dims, dnnl_nhwc))
    let dy = gradient.reordered(to: MemoryDescriptor(gradient.dims, dnnl_nhwc))
    let (batch, channels, height, width) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3])
    let (outHeight, outWidth) = (dy.dims[2], dy.dims[3])
    let k = spec.kernel
    let (step, padding) = (spec.stride, spec.padding)
    let rows = (0..<k).map { validOutputs(tap: $0, outputs: outHeight, extent: height, spec: spec) }
    let columns = (0..<k).map { validOutputs(tap: $0, outputs: outWidth, extent: width, spec: spec) }
    let (xs, dys, out) = (x.buffer.baseAddress!, dy.buffer.baseAddress!, result.buffer)
    // accumulators[tap · channels + c]
    let accumulators = UnsafeMutablePointer<Float>.allocate(capacity: k * k * channels)
    defer { accumulators.deallocate() }
    accumulators.update(repeating: 0, count: k * k * channels)
    for n in 0..<batch {
      for ky in 0..<k {
        for kx in 0..<k {
          let total = accumulators + (ky * k + kx) * channels
          for oy in rows[ky] {
            let iy = oy * step - padding + ky
            for ox in columns[kx] {
              let ix = ox * step - padding + kx
              let xRow = xs + ((n * height + iy) * width + ix) * channels
              let dyRow = dys + ((n * outHeight + oy) * outWidth + ox) * channels
              for c in 0..<channels { total[c] += dyRow[c] * xRow[c] }
            }
          }
        }
      }
    }
    for c in 0..<channels {
      for tap in 0..<(k * k) { out[c * k * k + tap] = accumulators[tap * channels + c] }
    }
  }

  /// Both gradients of an ungrouped convolution, two matrix products per tap over just the
  /// (n, oy, ox) where tap (ky, kx) reads inside the input, gathered channels-last:
  /// dW[:, :, ky, kx] = dYᵀ · X and dX[those inputs] += dY · W[:, :, ky, kx]. On a 1×1 map
  /// with padding 1 only the centre tap has any such position; on 2×2, 16 of the 36
  /// tap-position pairs — the work a direct kernel spends on the padding is skipped, and
  /// the products run on oneDNN's GEMM. `weights` nil skips the input gradient (returns nil);
  /// otherwise it is returned channels-last (NHWC).
  static func tapwiseGradients(
    input: Tensor, gradient: Tensor, weights: Tensor?, spec: Convolution, weightGradient result: Tensor
  ) throws -> Tensor? {
    let x = input.reordered(to: MemoryDescriptor(input.dims, dnnl_nhwc))
    let dy = gradient.reordered(to: MemoryDescriptor(gradient.dims, dnnl_nhwc))
    let w = weights?.reordered(to: .plain(weights?.dims ?? []))
    let (batch, inputs, height, width) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3])
    let (outputs, outHeight, outWidth) = (dy.dims[1], dy.dims[2], dy.dims[3])
    let k = spec.kernel
    let (step, padding) = (spec.stride, spec.padding)
    let rows = (0..<k).map { validOutputs(tap: $0, outputs: outHeight, extent: height, spec: spec) }
    let columns = (0..<k).map { validOutputs(tap: $0, outputs: outWidth, extent: width, spec: spec) }
    let positions = batch * outHeight * outWidth
    let (taps, size) = (k * k, outputs * inputs)
    // Taps that read inside the input at all (on a 1×1 map with padding 1, the centre alone),
    // each with a slot in the per-tap buffers: dW and W go to and from OIHW in one pass each,
    // not one strided pass per tap.
    let active = (0..<taps).filter { !rows[$0 / k].isEmpty && !columns[$0 % k].isEmpty }
    let gatheredX = UnsafeMutablePointer<Float>.allocate(capacity: positions * inputs)
    let gatheredDY = UnsafeMutablePointer<Float>.allocate(capacity: positions * outputs)
    let sources = UnsafeMutablePointer<Int>.allocate(capacity: positions)
    let tapGradients = UnsafeMutablePointer<Float>.allocate(capacity: active.count * size)
    let tapWeights = UnsafeMutablePointer<Float>.allocate(capacity: w == nil ? 0 : active.count * size)
    let product = UnsafeMutablePointer<Float>.allocate(capacity: w == nil ? 0 : positions * inputs)
    defer {
      for scratch in [gatheredX, gatheredDY, tapGradients, tapWeights, product] { scratch.deallocate() }
      sources.deallocate()
    }
    let dx = w.map { _ in Tensor(MemoryDescriptor([batch, inputs, height, width], dnnl_nhwc)) }
    let dxs = dx?.buffer.baseAddress
    dxs?.update(repeating: 0, count: batch * height * width * inputs)
    let (xs, dys, out) = (x.buffer.baseAddress!, dy.buffer.baseAddress!, result.buffer.baseAddress!)
    if let ws = w?.buffer.baseAddress {
      moveTaps(active, of: taps, count: size, oihw: ws, slices: tapWeights, toSlices: true)
    }
    for (slot, tap) in active.enumerated() {
      let (ky, kx) = (tap / k, tap % k)
      var count = 0
      for n in 0..<batch {
        for oy in rows[ky] {
          let iy = oy * step - padding + ky
          for ox in columns[kx] {
            let ix = ox * step - padding + kx
            let xRow = ((n * height + iy) * width + ix) * inputs
            let dyRow = ((n * outHeight + oy) * outWidth + ox) * outputs
            (gatheredX + count * inputs).update(from: xs + xRow, count: inputs)
            (gatheredDY + count * outputs).update(from: dys + dyRow, count: outputs)
            sources[count] = xRow
            count += 1
          }
        }
      }
      // Row-major: dW_tap[outputs × inputs] = gatheredDYᵀ[outputs × count] · gatheredX[count × inputs].
      try gemm(transposeA: true, outputs, inputs, count, gatheredDY, gatheredX, into: tapGradients + slot * size)
      guard let dxs else { continue }
      // product[count × inputs] = gatheredDY[count × outputs] · W_tap[outputs × inputs].
      try gemm(transposeA: false, count, inputs, outputs, gatheredDY, tapWeights + slot * size, into: product)
      for row in 0..<count {
        let (target, source) = (dxs + sources[row], product + row * inputs)
        for c in 0..<inputs { target[c] += source[c] }
      }
    }
    if active.count < taps { out.update(repeating: 0, count: size * taps) }
    moveTaps(active, of: taps, count: size, oihw: out, slices: tapGradients, toSlices: false)
    return dx
  }

  /// Copies between OIHW weights (`count` records of `taps` floats) and one contiguous slice
  /// per active tap, in either direction. Blocked, so a block's records (256 × 9 floats) stay
  /// in L1 while every tap visits them: one strided pass per tap cost more than the GEMMs on
  /// a 1,024-channel layer.
  private static func moveTaps(
    _ active: [Int], of taps: Int, count: Int, oihw: UnsafeMutablePointer<Float>,
    slices: UnsafeMutablePointer<Float>, toSlices: Bool
  ) {
    let block = 256
    for start in stride(from: 0, to: count, by: block) {
      for (slot, tap) in active.enumerated() {
        let slice = slices + slot * count
        let range = start..<min(start + block, count)
        if toSlices {
          for index in range { slice[index] = oihw[index * taps + tap] }
        } else {
          for index in range { oihw[index * taps + tap] = slice[index] }
        }
      }
    }
  }

  /// C[m × n] = op(A) · B, row-major, op(A) = Aᵀ (A stored k × m) or A (m × k).
  private static func gemm(
    transposeA: Bool, _ m: Int, _ n: Int, _ k: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
    into c: UnsafeMutablePointer<Float>
  ) throws {
    let status = dnnl_sgemm(
      CChar(UInt8(ascii: transposeA ? "T" : "N")), CChar(UInt8(ascii: "N")), Int64(m), Int64(n), Int64(k), 1, a,
      Int64(transposeA ? m : k), b, Int64(n), 0, c, Int64(n))
    try check(status, "convolution-gradient GEMM")
  }

  /// d bias[c] = Σ dY[n, c, …].
  static func biasGradient(_ gradient: Tensor, into result: Tensor) {
    let dy = gradient.reordered(to: .plain(gradient.dims))
    let (batch, channels) = (dy.dims[0], dy.dims[1])
    let plane = dy.dims.dropFirst(2).reduce(1, *)
    for c in 0..<channels {
      var total: Float = 0
      for n in 0..<batch {
        let base = (n * channels + c) * plane
        for index in base..<(base + plane) { total += dy.buffer[index] }
      }
      result.buffer[c] = total
    }
  }
}
