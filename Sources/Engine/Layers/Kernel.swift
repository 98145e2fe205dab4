import CDNNL
import Foundation

/// A trainable tensor and its gradient, both in plain row-major layout (PyTorch's
/// shapes), so optimizers and checkpoints see simple arrays.
package final class Parameter {
  /// "<layer>.weight", "<layer>.bias", …
  package let name: String
  package let value: Tensor
  package let gradient: Tensor
  /// Whether weight decay applies (convolution and linear weights; not biases or BN).
  package let decays: Bool

  package init(name: String, dims: [Int], decays: Bool, initial: [Float]) {
    self.name = name
    value = Tensor(dims: dims, values: initial)
    gradient = Tensor(zeros: dims)
    self.decays = decays
  }
}

/// One layer's computation with its backward pass. Inputs may arrive in any oneDNN
/// layout; a kernel reorders to what its primitives chose. `backward` returns the
/// gradient for each input and stores (overwrites) its parameters' gradients.
protocol Kernel: AnyObject {
  var parameters: [Parameter] { get }
  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor
  func backward(_ gradient: Tensor) throws -> [Tensor]
}

extension Kernel {
  var parameters: [Parameter] { [] }
}

/// Copies `source`'s plain values into `target`'s plain buffer (both plain, same size).
func copyPlain(_ source: Tensor, into target: Tensor) {
  let count = min(source.elementCount, target.elementCount)
  target.storage.copyMemory(from: source.storage, byteCount: count * 4)
}

/// Runs `body` with a pointer to an operation descriptor value.
func withDescriptor<T, R>(_ value: inout T, _ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
  try withUnsafePointer(to: &value) { try body(UnsafeRawPointer($0)) }
}

/// Runs `body` with a pointer to `value`, or nil when there is none (optional bias).
func withOptionalPointer<T, R>(_ value: T?, _ body: (UnsafePointer<T>?) throws -> R) rethrows -> R {
  guard let value else { return try body(nil) }
  return try withUnsafePointer(to: value) { try body($0) }
}
