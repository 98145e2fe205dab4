/// A naive two-unit SoC that charges multiply-accumulates: a `digital` unit at one MAC
/// per cycle and an `analog` one five times faster (the reference's "diana_naive").
/// Useful as a sanity baseline: with it, the latency-balanced split is proportional.
extension SoC {
  package static let naive = SoC(
    name: "naive",
    summary: "MAC-count model: digital 1 MAC/cycle, analog 5 MACs/cycle, 260 MHz",
    clockHz: 260e6,
    units: [
      ComputeUnit(
        name: "digital", clockHz: 260e6, activePowerMilliwatts: 24.96,
        operations: [.convolution, .depthwise, .linear], weightFormat: .integer(bits: 8),
        activationFormat: .unsigned(bits: 7), cycles: .builtin { g, ch, _ in ch * (g.multiplyAccumulates(channels: 1)) }
      ),
      ComputeUnit(
        name: "analog", clockHz: 260e6, activePowerMilliwatts: 28.74, operations: [.convolution, .linear],
        weightFormat: .ternary, activationFormat: .unsigned(bits: 7),
        cycles: .builtin { g, ch, _ in ch * (g.multiplyAccumulates(channels: 1) / 5) }),
    ],
    power: .busySets([[0]: 24.96, [1]: 28.74, [0, 1]: 42.39]),
    mappingStyle: .sharedWeights)
}
