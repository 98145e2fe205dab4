/// SplitMix64 (Steele, Lea, Flood 2014): a small, fast, well-distributed generator whose
/// sequence depends only on its seed, so every run with a seed gives the same numbers.
package struct SplitMix64: RandomNumberGenerator, Sendable {
  private var state: UInt64

  package init(seed: UInt64) { state = seed }

  package mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform Double in [0, 1).
  package mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// A generator for stream `stream` of `seed` (e.g. one per epoch), independent of others.
  package static func stream(seed: UInt64, _ stream: UInt64) -> SplitMix64 {
    var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
    return SplitMix64(seed: mixer.next())
  }
}
