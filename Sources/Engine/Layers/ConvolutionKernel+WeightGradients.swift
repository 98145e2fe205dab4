import CDNNL
import Models

/// Weight gradients computed outside oneDNN's backward-weights primitive, where oneDNN 2.6
/// is slow: depthwise layers (a GEMM fallback) and full 3×3 convolutions on maps under 4×4
/// (a direct kernel that runs every tap over the padding).
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
  /// computed on plain NCHW copies on the calling thread (oneDNN's OpenMP workers spin
  /// after each primitive, so other threads would compete with them).
  static func depthwiseWeightGradient(input: Tensor, gradient: Tensor, spec: Convolution, into result: Tensor) {
    let x = input.reordered(to: .plain(input.dims))
    let dy = gradient.reordered(to: .plain(gradient.dims))
    let (batch, channels, height, width) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3])
    let (outHeight, outWidth) = (dy.dims[2], dy.dims[3])
    let k = spec.kernel
    let (step, padding) = (spec.stride, spec.padding)
    let (xs, dys, out) = (x.buffer, dy.buffer, result.buffer)
    let rows = (0..<k).map { validOutputs(tap: $0, outputs: outHeight, extent: height, spec: spec) }
    let columns = (0..<k).map { validOutputs(tap: $0, outputs: outWidth, extent: width, spec: spec) }
    var accumulators = [Float](repeating: 0, count: k * k)
    for c in 0..<channels {
      for index in accumulators.indices { accumulators[index] = 0 }
      for n in 0..<batch {
        let xBase = (n * channels + c) * height * width
        let dyBase = (n * channels + c) * outHeight * outWidth
        for ky in 0..<k {
          for kx in 0..<k {
            var total: Float = 0
            for oy in rows[ky] {
              let xRow = xBase + (oy * step - padding + ky) * width - padding + kx
              let dyRow = dyBase + oy * outWidth
              for ox in columns[kx] { total += dys[dyRow + ox] * xs[xRow + ox * step] }
            }
            accumulators[ky * k + kx] += total
          }
        }
      }
      for index in 0..<(k * k) { out[c * k * k + index] = accumulators[index] }
    }
  }

  /// The weight gradient of an ungrouped convolution, one matrix product per tap:
  /// dW[:, :, ky, kx] = dYᵀ · X over just the (n, oy, ox) where tap (ky, kx) reads inside
  /// the input, gathered channels-last. On a 1×1 map with padding 1 only the centre tap
  /// has any such position; on 2×2, 16 of the 36 tap-position pairs — the work a direct
  /// kernel spends on the padding is skipped, and the products run on oneDNN's GEMM.
  static func tapwiseWeightGradient(input: Tensor, gradient: Tensor, spec: Convolution, into result: Tensor) throws {
    let x = input.reordered(to: MemoryDescriptor(input.dims, dnnl_nhwc))
    let dy = gradient.reordered(to: MemoryDescriptor(gradient.dims, dnnl_nhwc))
    let (batch, inputs, height, width) = (x.dims[0], x.dims[1], x.dims[2], x.dims[3])
    let (outputs, outHeight, outWidth) = (dy.dims[1], dy.dims[2], dy.dims[3])
    let k = spec.kernel
    let (step, padding) = (spec.stride, spec.padding)
    let rows = (0..<k).map { validOutputs(tap: $0, outputs: outHeight, extent: height, spec: spec) }
    let columns = (0..<k).map { validOutputs(tap: $0, outputs: outWidth, extent: width, spec: spec) }
    let positions = batch * outHeight * outWidth
    var gatheredX = [Float](repeating: 0, count: positions * inputs)
    var gatheredDY = [Float](repeating: 0, count: positions * outputs)
    var tap = [Float](repeating: 0, count: outputs * inputs)
    let (xs, dys, out) = (x.buffer, dy.buffer, result.buffer)
    for ky in 0..<k {
      for kx in 0..<k {
        var count = 0
        gatheredX.withUnsafeMutableBufferPointer { gx in
          gatheredDY.withUnsafeMutableBufferPointer { gdy in
            for n in 0..<batch {
              for oy in rows[ky] {
                let iy = oy * step - padding + ky
                for ox in columns[kx] {
                  let ix = ox * step - padding + kx
                  let xRow = ((n * height + iy) * width + ix) * inputs
                  let dyRow = ((n * outHeight + oy) * outWidth + ox) * outputs
                  for c in 0..<inputs { gx[count * inputs + c] = xs[xRow + c] }
                  for c in 0..<outputs { gdy[count * outputs + c] = dys[dyRow + c] }
                  count += 1
                }
              }
            }
          }
        }
        if count == 0 {
          for index in tap.indices { tap[index] = 0 }
        } else {
          // Row-major: tap[outputs × inputs] = gatheredDYᵀ[outputs × count] · gatheredX[count × inputs].
          let status = dnnl_sgemm(
            CChar(UInt8(ascii: "T")), CChar(UInt8(ascii: "N")), Int64(outputs), Int64(inputs), Int64(count), 1,
            gatheredDY, Int64(outputs), gatheredX, Int64(inputs), 0, &tap, Int64(inputs))
          try check(status, "weight-gradient GEMM")
        }
        for o in 0..<outputs {
          for c in 0..<inputs { out[((o * inputs + c) * k + ky) * k + kx] = tap[o * inputs + c] }
        }
      }
    }
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
