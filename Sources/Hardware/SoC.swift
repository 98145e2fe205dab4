/// How an SoC's power depends on which units are busy.
package enum PowerModel: Sendable {
  /// Whole-SoC power for each set of busy units (DIANA): while the units in a set are
  /// the busy ones, the SoC draws that set's power. Keys are sorted unit indices;
  /// every non-empty subset of units must have a power.
  case busySets([[Int]: Double])
  /// Each unit draws its active power while busy and `idleMilliwatts` while it waits
  /// for the slowest unit of the layer (Darkside).
  case perUnit(idleMilliwatts: Double)
  /// No power data: energy cannot be computed.
  case unknown
}

/// How a searchable layer's output channels are produced by the units.
package enum MappingStyle: String, Sendable, Codable {
  /// One shared weight tensor; each unit computes its channels in its own data format
  /// (DIANA: 8-bit digital vs ternary analog).
  case sharedWeights = "shared-weights"
  /// Each unit runs its own operator (Darkside: standard 3×3 convolution on the
  /// cluster vs depthwise 3×3 on the DWE); a depthwise-separable block of the model
  /// becomes one searchable layer whose channels come from either operator.
  case alternativeOperators = "alternative-operators"
}

/// A heterogeneous SoC: compute units that run in parallel on one layer, and how their
/// times and powers combine. A layer's latency is the largest of its units' times; a
/// network's latency is the sum over layers.
package struct SoC: Sendable {
  package let name: String
  package let summary: String
  /// The clock latencies are reported in, in Hz.
  package let clockHz: Double
  package let units: [ComputeUnit]
  package let power: PowerModel
  package let mappingStyle: MappingStyle
  /// The reference code's softmax temperature over raw cycles (`reference` convention).
  package let referenceTemperature: Double

  package init(
    name: String, summary: String, clockHz: Double, units: [ComputeUnit], power: PowerModel,
    mappingStyle: MappingStyle, referenceTemperature: Double = 1
  ) {
    self.name = name
    self.summary = summary
    self.clockHz = clockHz
    self.units = units
    self.power = power
    self.mappingStyle = mappingStyle
    self.referenceTemperature = referenceTemperature
  }

  /// The index of the unit called `name`.
  package func unitIndex(_ name: String) -> Int? { units.firstIndex { $0.name == name } }

  /// Whether energy can be computed.
  package var hasPowerData: Bool {
    if case .unknown = power { return false }
    return true
  }

  /// Converts cycles of the SoC clock to milliseconds.
  package func milliseconds(cycles: Double) -> Double { cycles / clockHz * 1e3 }

  /// Converts mW × SoC-clock cycles to microjoules.
  package func microjoules(milliwattCycles: Double) -> Double { milliwattCycles / clockHz * 1e3 }
}
