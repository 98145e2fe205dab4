import Engine
import Foundation
import HDF5
import Hardware
import Models
import Testing

@Suite struct MappingTests {
  let resnet20 = try! ModelZoo.make("resnet20", resolution: 32)

  @Test func balancedIsOptimalAndPrefersThePreciseUnitOnTies() throws {
    let plan = try NetworkPlan(architecture: resnet20, soc: .diana)
    let balanced = try plan.cost(of: try plan.mapping(.balanced))
    let heuristic = try plan.cost(of: try plan.mapping(.minLatencyMaxPrecision))
    let digital = try plan.cost(of: try plan.mapping(.allOn(unit: "digital")))
    let analog = try plan.cost(of: try plan.mapping(.allOn(unit: "analog")))
    #expect(balanced.latencyCycles <= min(digital.latencyCycles, analog.latencyCycles))
    #expect(abs(heuristic.latencyCycles - balanced.latencyCycles) < 1e-6)
    // Exhaustive check on every layer: no split is faster than the chosen one, and no
    // equally fast split has more digital channels.
    let counts = try plan.channelCounts(try plan.mapping(.minLatencyMaxPrecision))
    for (index, layer) in plan.layers.enumerated() {
      let chosen = counts[index][0]
      let latency = { (d: Int) in
        max(
          plan.cycles(layer: index, option: 0, channels: Dual(Double(d))).value,
          plan.cycles(layer: index, option: 1, channels: Dual(Double(layer.outChannels - d))).value)
      }
      let best = (0...layer.outChannels).map(latency).min() ?? 0
      #expect(abs(latency(chosen) - best) < 1e-9)
      #expect(
        ((chosen + 1)...max(chosen + 1, layer.outChannels)).allSatisfy { $0 > layer.outChannels || latency($0) > best })
    }
  }

  @Test func balancedOnTheNaiveSoCIsProportional() throws {
    let plan = try NetworkPlan(architecture: resnet20, soc: .naive)
    let counts = try plan.channelCounts(try plan.mapping(.balanced))
    // digital 1 MAC/cycle, analog 5: about 1/6 of the channels digital.
    for (layer, split) in zip(plan.layers, counts) where layer.outChannels >= 32 {
      #expect(abs(Double(split[0]) / Double(layer.outChannels) - 1.0 / 6) < 0.05)
    }
  }

  @Test func threeUnitBalancedBeatsEverySingleUnit() throws {
    let trio = try SoCCatalogue.soc("trio")
    let plan = try NetworkPlan(architecture: try ModelZoo.make("resnet8", resolution: 32), soc: trio)
    let balanced = try plan.cost(of: try plan.mapping(.balanced)).latencyCycles
    for unit in trio.units.map(\.name) {
      #expect(balanced <= (try plan.cost(of: try plan.mapping(.allOn(unit: unit)))).latencyCycles)
    }
    #expect(plan.layers.contains { $0.options.count == 3 })
  }

  @Test func mappingFilesRoundTripAsJSONAndHDF5() throws {
    let plan = try NetworkPlan(architecture: resnet20, soc: .diana)
    let mapping = try plan.mapping(.balanced)
    let folder = NSTemporaryDirectory() + "odimo-mapping-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    for name in ["m.json", "m.h5"] {
      let path = folder + "/" + name
      try mapping.save(to: path)
      let loaded = try Mapping.load(path)
      #expect(loaded == mapping)
      #expect(try plan.cost(of: loaded) == plan.cost(of: mapping))
    }
    let h5 = try HDF5File.open(folder + "/m.h5")
    #expect(try h5.attribute("format", at: "/mapping") == .string("odimo-mapping"))
  }

  @Test func mismatchedMappingsAreRefusedWithTheLayerNamed() throws {
    let plan = try NetworkPlan(architecture: resnet20, soc: .diana)
    var mapping = try plan.mapping(.balanced)
    mapping.layers[3].units.removeLast()
    let width = try #require(throws: MappingMismatch.self) { try plan.channelCounts(mapping) }
    #expect(width.description.contains(plan.layers[3].name))
    var foreign = try plan.mapping(.balanced)
    foreign.units = ["digital", "photonic"]
    let unit = try #require(throws: MappingMismatch.self) { try plan.channelCounts(foreign) }
    #expect(unit.description.contains("photonic"))
    #expect(throws: MappingMismatch.self) { try plan.mapping(.allOn(unit: "gpu")) }
  }

  /// A mapping file from a later format version, or listing a layer twice, is refused.
  @Test func laterVersionsAndDuplicateLayersAreRefused() throws {
    let plan = try NetworkPlan(architecture: resnet20, soc: .diana)
    let folder = NSTemporaryDirectory() + "odimo-mapping-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let path = folder + "/m.json"
    try plan.mapping(.balanced).save(to: path)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let later = folder + "/later.json"
    try text.replacingOccurrences(of: "\"format_version\":1", with: "\"format_version\":99")
      .write(toFile: later, atomically: true, encoding: .utf8)
    #expect(text.contains("\"format_version\":1"))
    let version = try #require(throws: MappingMismatch.self) { try Mapping.load(later) }
    #expect(version.description.contains("99"))
    var twice = try plan.mapping(.balanced)
    twice.layers.append(twice.layers[0])
    // (HDF5 mapping groups hold one dataset per layer name, so only JSON can repeat one.)
    try twice.save(to: folder + "/twice.json")
    let duplicate = try #require(throws: MappingMismatch.self) { try Mapping.load(folder + "/twice.json") }
    #expect(duplicate.description.contains(twice.layers[0].name))
  }

  @Test func permutationGroupsUnits() {
    let layer = LayerAssignment(name: "x", units: [1, 0, 1, 0, 0])
    #expect(layer.permutation == [1, 3, 4, 0, 2])
    #expect(layer.channels(ofUnit: 0) == 3)
    #expect(MappingStrategy(name: "all-analog") == .allOn(unit: "analog"))
    #expect(MappingStrategy(name: "all-") == nil)
  }
}
