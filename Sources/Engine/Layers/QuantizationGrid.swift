import Foundation

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
