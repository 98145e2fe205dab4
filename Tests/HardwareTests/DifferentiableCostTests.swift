import Engine
import Foundation
import Hardware
import Models
import TestSupport
import Testing

/// The search's cost gradients against central finite differences. Formulas here are
/// smooth (no ceil), so the finite difference is the true derivative; tolerance 1e-5
/// relative.
@Suite struct DifferentiableCostTests {
  static let smoothSoC = """
    name = "smooth"
    clock_mhz = 100
    mapping_style = "shared-weights"
    [[units]]
    name = "a"
    operations = ["convolution", "linear", "depthwise"]
    weights = "int8"
    activations = "uint8"
    power_mw = 10
    cycles = "ch * c_in * k_x * k_y * o_x * o_y / 7 + ch^2 * 3"
    [[units]]
    name = "b"
    operations = ["convolution", "linear"]
    weights = "ternary"
    activations = "uint8"
    power_mw = 25
    cycles = "ch * c_in * o_x * o_y / 19 + 40 * ch"
    [[units]]
    name = "c"
    operations = ["convolution"]
    weights = "int4"
    activations = "uint8"
    power_mw = 16
    cycles = "(ch + 3)^1.5 * o_x * o_y"
    """

  private func checkGradients(soc: SoC, metric: CostMetric, convention: CostConvention) throws {
    let plan = try NetworkPlan(architecture: try ModelZoo.make("resnet8", resolution: 32), soc: soc)
    for (index, layer) in plan.layers.enumerated() where layer.options.count >= 2 {
      let count = Double(layer.outChannels)
      let soft = (0..<layer.options.count).map { count * Double($0 + 1) / Double(layer.options.count * 2) + 0.37 }
      let cost = try plan.softCost(layer: index, channels: soft, metric: metric, convention: convention)
      for option in soft.indices {
        let numeric = try centralDifference(soft, at: option, step: 1e-4) { probe in
          try plan.softCost(layer: index, channels: probe, metric: metric, convention: convention).value
        }
        let analytic = cost.gradient[option]
        #expect(
          abs(numeric - analytic) <= 1e-5 * max(1, abs(numeric)),
          "layer \(layer.name) option \(option) \(metric) \(convention): numeric \(numeric), analytic \(analytic)")
      }
    }
  }

  @Test func latencyAndEnergyGradientsMatchFiniteDifferences() throws {
    let smooth = try SoC.parse(Self.smoothSoC + "\n[power]\nmodel = \"per-unit\"\nidle_mw = 1.5\n", file: "smooth.toml")
    try checkGradients(soc: smooth, metric: .latency, convention: .corrected)
    try checkGradients(soc: smooth, metric: .energy, convention: .corrected)
    try checkGradients(soc: smooth, metric: .latency, convention: .reference)
    let busy = try SoC.parse(
      Self.smoothSoC + """

        [power]
        model = "busy-sets"
        states = [
          { busy = ["a"], mw = 10 }, { busy = ["b"], mw = 25 }, { busy = ["c"], mw = 16 },
          { busy = ["a", "b"], mw = 31 }, { busy = ["a", "c"], mw = 24 }, { busy = ["b", "c"], mw = 37 },
          { busy = ["a", "b", "c"], mw = 45 },
        ]
        """, file: "busy.toml")
    try checkGradients(soc: busy, metric: .energy, convention: .corrected)
  }

  @Test func ceilingsPassStraightThroughWithTheDocumentedSlope() {
    let x = Dual.variable(20.3)
    #expect(Dual.ceilDiv(x, 16, .corrected).value == 2)
    #expect(Dual.ceilDiv(x, 16, .corrected).derivative == 1.0 / 16)
    #expect(Dual.ceilDiv(x, 16, .reference).derivative == 1)
    #expect(Dual.gate(Dual.variable(0.4)).derivative == 1)
    #expect(Dual.gate(Dual.variable(1.4)) == Dual(1))
    // DIANA digital, corrected: d/dch = c_in·k²·⌈o_x/16⌉·o_y/16 (compute) + o_x·o_y/8 (load/store).
    let geometry = LayerGeometry(cIn: 32, cOut: 64, kX: 3, kY: 3, oX: 16, oY: 16)
    let unit = SoC.diana.units[0]
    let slope = unit.cycles.evaluate(geometry, channels: Dual.variable(20.5), convention: .corrected).derivative
    #expect(abs(slope - (32.0 * 9 * 1 * 16 / 16 + 16.0 * 16 / 8)) < 1e-9)
  }

  @Test func correctedSmoothMaxStaysNearTheMaximum() throws {
    let plan = try NetworkPlan(architecture: try ModelZoo.make("resnet20", resolution: 32), soc: .diana)
    for index in plan.layers.indices {
      let count = Double(plan.layers[index].outChannels)
      let channels = [count * 0.4, count * 0.6]
      let times = channels.indices.map { plan.cycles(layer: index, option: $0, channels: Dual(channels[$0])).value }
      let soft = try plan.softCost(layer: index, channels: channels, metric: .latency)
      #expect(soft.value <= times.max()! * (1 + 1e-12))
      #expect(soft.value >= times.max()! * 0.95)
    }
  }
}
