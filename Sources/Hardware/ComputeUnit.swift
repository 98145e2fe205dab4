/// A weight or activation number format a unit computes with.
package enum NumberFormat: Sendable, Hashable, Codable, CustomStringConvertible {
  /// Symmetric integers of `bits` bits (e.g. 8-bit weights).
  case integer(bits: Int)
  /// Unsigned integers of `bits` bits (activations after ReLU).
  case unsigned(bits: Int)
  /// Ternary {−s, 0, +s}.
  case ternary
  /// Floating point of `bits` bits.
  case float(bits: Int)

  /// Bits per value (ternary counts as 2), used to rank precision.
  package var bits: Int {
    switch self {
    case .integer(let bits), .unsigned(let bits), .float(let bits): bits
    case .ternary: 2
    }
  }

  package var description: String {
    switch self {
    case .integer(let bits): "int\(bits)"
    case .unsigned(let bits): "uint\(bits)"
    case .ternary: "ternary"
    case .float(let bits): "float\(bits)"
    }
  }

  /// Parses "int8", "uint7", "ternary", "float32".
  package init?(_ text: String) {
    let lower = text.lowercased()
    if lower == "ternary" {
      self = .ternary
      return
    }
    for (prefix, make) in [("uint", Self.unsigned), ("int", Self.integer), ("float", Self.float)]
      as [(String, (Int) -> Self)]
    {
      if lower.hasPrefix(prefix), let bits = Int(lower.dropFirst(prefix.count)), (1...64).contains(bits) {
        self = make(bits)
        return
      }
    }
    return nil
  }
}

/// One compute unit of an SoC: what it can run, in which formats, how fast, at what power.
package struct ComputeUnit: Sendable {
  package let name: String
  /// Clock frequency in Hz.
  package let clockHz: Double
  /// Power while busy, in mW (used by per-unit power models).
  package let activePowerMilliwatts: Double?
  /// Operator kinds the unit runs.
  package let operations: Set<OperatorKind>
  /// Square kernel sizes the unit runs; nil means any.
  package let kernels: Set<Int>?
  package let weightFormat: NumberFormat
  package let activationFormat: NumberFormat
  /// Cycles to compute some of a layer's output channels.
  package let cycles: CycleModel

  package init(
    name: String, clockHz: Double, activePowerMilliwatts: Double?, operations: Set<OperatorKind>,
    kernels: Set<Int>? = nil, weightFormat: NumberFormat, activationFormat: NumberFormat, cycles: CycleModel
  ) {
    self.name = name
    self.clockHz = clockHz
    self.activePowerMilliwatts = activePowerMilliwatts
    self.operations = operations
    self.kernels = kernels
    self.weightFormat = weightFormat
    self.activationFormat = activationFormat
    self.cycles = cycles
  }

  /// Whether the unit can run an operator of this geometry.
  package func runs(_ geometry: LayerGeometry) -> Bool {
    guard operations.contains(geometry.kind) else { return false }
    guard let kernels, geometry.kind != .linear else { return true }
    return geometry.kX == geometry.kY && kernels.contains(geometry.kX)
  }
}

/// How a unit's cycle count is computed.
package enum CycleModel: Sendable {
  /// A formula compiled into odimo (the reference's DIANA and Darkside models).
  case builtin(@Sendable (LayerGeometry, Dual, CostConvention) -> Dual)
  /// A formula from an SoC description file.
  case expression(Expression)

  /// Cycles (and their derivative in `channels`) for computing `channels` of the
  /// layer's output channels. `channels` may be fractional while searching.
  package func evaluate(_ geometry: LayerGeometry, channels: Dual, convention: CostConvention) -> Dual {
    switch self {
    case .builtin(let formula): formula(geometry, channels, convention)
    case .expression(let expression):
      expression.evaluate(geometry: geometry, channels: channels, convention: convention)
    }
  }
}
