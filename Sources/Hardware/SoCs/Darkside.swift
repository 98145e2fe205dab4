/// Darkside (Garofalo et al., ESSCIRC 2022): an 8-core RISC-V cluster for standard
/// convolutions and a depthwise engine (DWE) for 3×3 depthwise ones, at 260 MHz.
/// Formulas and powers as in the ODiMO reference.
extension SoC {
  package static let darkside = SoC(
    name: "darkside",
    summary: "Darkside: 8-core RISC-V cluster + 3×3 depthwise engine, 260 MHz",
    clockHz: 260e6,
    units: [
      ComputeUnit(
        name: "cluster", clockHz: 260e6, activePowerMilliwatts: 168, operations: [.convolution, .linear],
        weightFormat: .integer(bits: 8), activationFormat: .unsigned(bits: 8),
        cycles: .builtin(DarksideModel.clusterCycles)),
      ComputeUnit(
        name: "dwe", clockHz: 260e6, activePowerMilliwatts: 118, operations: [.depthwise], kernels: [3],
        weightFormat: .integer(bits: 8), activationFormat: .unsigned(bits: 8),
        cycles: .builtin(DarksideModel.dweCycles)),
    ],
    power: .perUnit(idleMilliwatts: 1.32),
    mappingStyle: .alternativeOperators,
    referenceTemperature: 1e7)
}

enum DarksideModel {
  /// ⌈o_y/2⌉·⌈o_x/8⌉ · (k_x·k_y·c_in·2 + ⌈ch/4⌉·(14·⌈k_x·k_y·c_in/4⌉ + 15)): im2col then
  /// a 4-channel-unrolled matrix multiply on 8 cores.
  @Sendable static func clusterCycles(_ g: LayerGeometry, _ ch: Dual, _ convention: CostConvention) -> Dual {
    let iterations = Double(((g.oY + 1) / 2) * ((g.oX + 7) / 8))
    let window = g.kX * g.kY * g.cIn
    let im2col = Double(window * 2)
    let matmul = Dual.ceilDiv(ch, 4, convention) * Double(14 * ((window + 3) / 4) + 15)
    return (matmul + im2col) * iterations
  }

  /// ⌈ch/16⌉ · (9 + 9·o_x + 4·o_x·o_y): 16 channels at a time.
  @Sendable static func dweCycles(_ g: LayerGeometry, _ ch: Dual, _ convention: CostConvention) -> Dual {
    Dual.ceilDiv(ch, 16, convention) * Double(9 + 9 * g.oX + 4 * g.oX * g.oY)
  }
}
