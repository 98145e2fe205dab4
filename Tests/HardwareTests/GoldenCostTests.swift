import Foundation
import Hardware
import Testing

/// Every figure in shared/reference/cost-golden.json, computed by the published ODiMO code,
/// must come out of odimo's built-in models and out of the shipped description files.
@Suite struct GoldenCostTests {
  private func check(socs: [String: SoC]) throws {
    let cases = try loadGolden()
    #expect(cases.count > 1000)
    var failures: [String] = []
    for (index, golden) in cases.enumerated() {
      let soc = try #require(socs[golden.soc])
      let unit = try #require(soc.units.first { $0.name == golden.unit })
      #expect(unit.runs(golden.layerGeometry))
      let cycles = unit.cycles.evaluate(golden.layerGeometry, channels: Dual(golden.channels), convention: .reference)
        .value
      if !closeToReference(cycles, golden.cycles) {
        failures.append(
          "case \(index) \(golden.soc)/\(golden.unit) \(golden.layerGeometry) ch \(golden.channels): \(cycles) ≠ \(golden.cycles)"
        )
      }
    }
    #expect(failures.isEmpty, "\(failures.count) mismatches, first: \(failures.prefix(3))")
  }

  @Test func builtinsReproduceTheReference() throws {
    try check(socs: ["diana": .diana, "darkside": .darkside])
  }

  @Test func shippedDescriptionFilesReproduceTheReference() throws {
    let diana = try SoCCatalogue.soc("diana.toml")
    let darkside = try SoCCatalogue.soc("darkside.toml")
    #expect(diana.name == "diana-described" && darkside.name == "darkside-described")
    try check(socs: ["diana": diana, "darkside": darkside])
  }

  @Test func correctedConventionAgreesOnWholeChannelCounts() throws {
    // Values differ between conventions only through idle units, handled per layer.
    for golden in try loadGolden() where golden.channels > 0 {
      let soc: SoC = golden.soc == "diana" ? .diana : .darkside
      let unit = try #require(soc.units.first { $0.name == golden.unit })
      let corrected = unit.cycles.evaluate(
        golden.layerGeometry, channels: Dual(golden.channels), convention: .corrected)
      #expect(closeToReference(corrected.value, golden.cycles))
    }
  }
}
