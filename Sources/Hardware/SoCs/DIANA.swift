/// DIANA (Ueyoshi et al., ISSCC 2022): an 8-bit digital accelerator (16×16 PE array)
/// and a ternary analog in-memory-computing array (1152×512), both at 260 MHz, with
/// 7-bit unsigned activations. Formulas and powers as in the ODiMO reference.
extension SoC {
  package static let diana = SoC(
    name: "diana",
    summary: "DIANA: 8-bit digital accelerator + ternary analog in-memory array, 260 MHz",
    clockHz: 260e6,
    units: [
      ComputeUnit(
        name: "digital", clockHz: 260e6, activePowerMilliwatts: 24.96,
        operations: [.convolution, .depthwise, .linear], weightFormat: .integer(bits: 8),
        activationFormat: .unsigned(bits: 7), cycles: .builtin(DIANAModel.digitalCycles)),
      ComputeUnit(
        name: "analog", clockHz: 260e6, activePowerMilliwatts: 28.74, operations: [.convolution, .linear],
        weightFormat: .ternary, activationFormat: .unsigned(bits: 7), cycles: .builtin(DIANAModel.analogCycles)),
    ],
    // Whole-SoC power by which units are busy: digital only, analog only, both.
    power: .busySets([[0]: 24.96, [1]: 28.74, [0, 1]: 42.39]),
    mappingStyle: .sharedWeights,
    referenceTemperature: 1)
}

enum DIANAModel {
  /// ⌈(ch/groups)/16⌉ · c_in · ⌈o_x/16⌉ · o_y · k_x · k_y  +  [ch ≥ 1] · o_x · o_y · (ch + c_in) / 8
  @Sendable static func digitalCycles(_ g: LayerGeometry, _ ch: Dual, _ convention: CostConvention) -> Dual {
    let compute =
      Dual.ceilDiv(ch / Double(g.groups), 16, convention)
      * Double(g.cIn * ((g.oX + 15) / 16) * g.oY * g.kX * g.kY)
    let loadStore = Dual.gate(ch) * ((ch + Double(g.cIn)) * Double(g.oX * g.oY) / 8)
    return compute + loadStore
  }

  /// The largest output-column unrolling u ∈ {1, 2, 4, 8} with u·ch ≤ 512 and
  /// (u + k_x − 1)·max(64, c_in)·k_y ≤ 1152.
  static func unrolling(channels: Double, cIn: Int, kX: Int, kY: Int) -> Double {
    var best = 1.0
    for u in [1, 2, 4, 8] where Double(u) * channels <= 512 && (u + kX - 1) * max(64, cIn) * kY <= 1152 {
      best = Double(u)
    }
    return best
  }

  /// ⌈ch/512⌉ · ⌈c_in/128⌉ · o_x · o_y / u · 70 ns · 260 MHz  +  [ch ≥ 1] · 8 · c_in · k_x · k_y
  @Sendable static func analogCycles(_ g: LayerGeometry, _ ch: Dual, _ convention: CostConvention) -> Dual {
    let u = unrolling(channels: ch.value, cIn: g.cIn, kX: g.kX, kY: g.kY)
    // The reference's unrolling straight-through estimator passes the gradient of ch.
    let unroll = Dual(u, derivative: convention == .reference ? ch.derivative : 0)
    let nanosecondsPerCycle = 1e9 / 260e6
    let compute =
      Dual.ceilDiv(ch, 512, convention) * Double(((g.cIn + 127) / 128) * g.oX * g.oY) / unroll
      * (70 / nanosecondsPerCycle)
    let weightLoad = Dual.gate(ch) * Double(8 * g.cIn * g.kX * g.kY)
    return compute + weightLoad
  }
}
