import Foundation

/// Weight initialisations matching PyTorch's defaults for the zoo models.
enum Initialisers {
  /// Kaiming-normal (He) with gain √2 over `fan` (fan-out for convolutions, as torchvision's ResNets).
  static func kaimingNormal(count: Int, fan: Int, using generator: inout some RandomNumberGenerator) -> [Float] {
    let std = (2.0 / Double(max(fan, 1))).squareRoot()
    var values: [Float] = []
    values.reserveCapacity(count)
    while values.count < count {
      // Box–Muller: two normals from two uniforms.
      let u1 = max(Double.leastNonzeroMagnitude, Double(generator.next() >> 11) * 0x1.0p-53)
      let u2 = Double(generator.next() >> 11) * 0x1.0p-53
      let radius = (-2 * Foundation.log(u1)).squareRoot()
      values.append(Float(radius * Foundation.cos(2 * .pi * u2) * std))
      if values.count < count { values.append(Float(radius * Foundation.sin(2 * .pi * u2) * std)) }
    }
    return values
  }

  /// Uniform in [−bound, bound] (PyTorch's Linear default uses 1/√fan_in).
  static func uniform(count: Int, bound: Float, using generator: inout some RandomNumberGenerator) -> [Float] {
    (0..<count).map { _ in Float(Double(generator.next() >> 11) * 0x1.0p-53 * 2 - 1) * bound }
  }
}
