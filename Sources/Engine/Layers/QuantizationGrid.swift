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
  /// The integers k = x / `step` of a tensor on that grid, in layout `target` (bf16 holds
  /// them exactly). Exact: x = fl(k·step) is within k·2⁻²² of k·step once divided, far
  /// from a rounding boundary, and one scaled reorder converts and divides at once.
  func levels(step: Float, in target: MemoryDescriptor) -> Tensor {
    let output = Tensor(target)
    Reorders.shared.run(from: self, to: output, scale: 1 / step)
    return output
  }
}
