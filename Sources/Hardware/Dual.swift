/// A number together with its derivative with respect to one variable (forward-mode
/// automatic differentiation). Cost models use it with the variable being the soft
/// channel count of one compute unit.
package struct Dual: Sendable, Equatable, CustomStringConvertible {
  package var value: Double
  package var derivative: Double

  package init(_ value: Double, derivative: Double = 0) {
    self.value = value
    self.derivative = derivative
  }

  /// The independent variable itself (derivative 1).
  package static func variable(_ value: Double) -> Dual { Dual(value, derivative: 1) }

  package var description: String { "\(value) (d \(derivative))" }

  package static func + (a: Dual, b: Dual) -> Dual { Dual(a.value + b.value, derivative: a.derivative + b.derivative) }
  package static func - (a: Dual, b: Dual) -> Dual { Dual(a.value - b.value, derivative: a.derivative - b.derivative) }
  package static prefix func - (a: Dual) -> Dual { Dual(-a.value, derivative: -a.derivative) }
  package static func * (a: Dual, b: Dual) -> Dual {
    Dual(a.value * b.value, derivative: a.derivative * b.value + a.value * b.derivative)
  }
  package static func / (a: Dual, b: Dual) -> Dual {
    Dual(a.value / b.value, derivative: (a.derivative * b.value - a.value * b.derivative) / (b.value * b.value))
  }
  package static func + (a: Dual, b: Double) -> Dual { Dual(a.value + b, derivative: a.derivative) }
  package static func * (a: Dual, b: Double) -> Dual { Dual(a.value * b, derivative: a.derivative * b) }
  package static func * (a: Double, b: Dual) -> Dual { b * a }
  package static func / (a: Dual, b: Double) -> Dual { Dual(a.value / b, derivative: a.derivative / b) }
}

extension Dual: ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral {
  package init(floatLiteral value: Double) { self.init(value) }
  package init(integerLiteral value: Int) { self.init(Double(value)) }
}

/// How the non-differentiable pieces of a cost model are given gradients, and how unit
/// latencies are combined while searching.
package enum CostConvention: String, Sendable, Codable, CaseIterable {
  /// odimo's treatment: ceil(x) passes the gradient of x (so ceil(ch/N) has slope 1/N),
  /// the smooth max of unit latencies has a temperature proportional to the layer's
  /// largest latency, and a unit with no channels costs nothing.
  case corrected
  /// The published reference code's treatment, kept so its figures can be reproduced
  /// and audited: ceil(ch/N) has slope 1 in ch, the smooth max is a softmax over raw
  /// cycles with the SoC's fixed temperature, and a unit's formula is charged even
  /// when it has no channels.
  case reference
}

extension Dual {
  /// ⌈a / n⌉ computed as ⌊(a + n − 1) / n⌋, as the reference code does: equal for
  /// whole a, and for a fractional a (a depthwise slice's ch/groups < 1) it is 0 until
  /// the layer is whole, which the reference figures depend on. Straight-through
  /// gradient: slope 1/n (corrected) or 1 (reference).
  package static func ceilDiv(_ a: Dual, _ n: Double, _ convention: CostConvention) -> Dual {
    let slope = convention == .corrected ? 1 / n : 1
    return Dual(((a.value + n - 1) / n).rounded(.down), derivative: a.derivative * slope)
  }

  /// ⌈x⌉ with a straight-through gradient (slope 1).
  package static func ceil(_ x: Dual) -> Dual { Dual(x.value.rounded(.up), derivative: x.derivative) }

  /// ⌊x⌋ with a straight-through gradient (slope 1).
  package static func floor(_ x: Dual) -> Dual { Dual(x.value.rounded(.down), derivative: x.derivative) }

  /// [x ≥ 1]: whether a unit has at least one channel. Between 0 and 1 the gradient is
  /// that of the ramp min(x, 1), so a unit that is almost idle can be pushed either way.
  package static func gate(_ x: Dual) -> Dual {
    Dual(x.value >= 1 ? 1 : 0, derivative: x.value > 0 && x.value < 1 ? x.derivative : 0)
  }

  package static func min(_ a: Dual, _ b: Dual) -> Dual { a.value <= b.value ? a : b }
  package static func max(_ a: Dual, _ b: Dual) -> Dual { a.value >= b.value ? a : b }
}
