import CDNNL
import Foundation

extension MemoryDescriptor {
  /// b for a float layout whose memory order is [n][⌈C/b⌉][spatial][b]: plain (b = 1),
  /// nChw8c / nChw16c (b = 8 / 16, channels padded to whole blocks with zeros) and nhwc
  /// (one block of all C); nil for any other layout.
  var channelBlock: Int? {
    let dims = self.dims
    if self == .plain(dims) { return 1 }
    guard dims.count == 4 else { return nil }
    if self == MemoryDescriptor(dims, dnnl_acdb) { return dims[1] }
    for (tag, size) in [(dnnl_aBcd16b, 16), (dnnl_aBcd8b, 8)] where self == MemoryDescriptor(dims, tag) { return size }
    return nil
  }
}

extension Tensor {
  /// The integers k = x / `step` of a tensor on that grid, as floats in the same layout
  /// (padding stays zero). Exact: x = fl(k·step) is within k·2⁻²³ of k·step, far from a
  /// rounding boundary.
  func levels(step: Float) -> Tensor {
    let output = Tensor(descriptor)
    let inverse = 1 / step
    let magic = ActivationQuantizerKernel.roundingMagic
    let (x, y) = (UnsafePointer(buffer.baseAddress!), output.buffer.baseAddress!)
    for index in 0..<(descriptor.byteCount / 4) { y[index] = (x[index] * inverse + magic) - magic }
    return output
  }

  /// y[n, c, …] = x[n, c, …]·factor[c] + shift[c], in this tensor's layout when
  /// `channelBlock` knows it (else on a plain copy); `shift` nil adds nothing.
  func scaledPerChannel(_ factor: [Float], adding shift: [Float]?) -> Tensor {
    let source = descriptor.channelBlock == nil ? reordered(to: .plain(dims)) : self
    let block = source.descriptor.channelBlock ?? 1
    let output = Tensor(source.descriptor)
    let dims = source.dims
    let (batch, channels) = (dims[0], dims[1])
    let plane = dims.dropFirst(2).reduce(1, *)
    let blocks = (channels + block - 1) / block
    // Padding lanes of the last block get factor and shift 0: they must stay zero.
    var factors = [Float](repeating: 0, count: blocks * block)
    var shifts = factors
    for c in 0..<channels {
      factors[c] = factor[c]
      shifts[c] = shift?[c] ?? 0
    }
    let (x, y) = (UnsafePointer(source.buffer.baseAddress!), output.buffer.baseAddress!)
    factors.withUnsafeBufferPointer { factor in
      shifts.withUnsafeBufferPointer { shift in
        for n in 0..<batch {
          for b in 0..<blocks {
            let base = (n * blocks + b) * plane * block
            let lanes = b * block
            for position in 0..<plane {
              let start = base + position * block
              for lane in 0..<block { y[start + lane] = x[start + lane] * factor[lanes + lane] + shift[lanes + lane] }
            }
          }
        }
      }
    }
    return output
  }
}
