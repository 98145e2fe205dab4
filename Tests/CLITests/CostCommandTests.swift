import Foundation
import TestSupport
import Testing

@Suite struct CostCommandTests {
  let scratch = ScratchFolder()
  static let golden = goldenCostPath

  @Test func casesFillsInTheReferenceCycles() throws {
    let result = try odimo("cost", "cases", Self.golden, "--json")
    #expect(result.status == 0, "\(result.stderr)")
    let expected = try #require(
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.golden))) as? [[String: Any]])
    let actual = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    #expect(actual.count == expected.count)
    for (a, e) in zip(actual, expected) {
      #expect(a["soc"] as? String == e["soc"] as? String && a["unit"] as? String == e["unit"] as? String)
      let got = try #require(a["cycles"] as? Double)
      let want = try #require(e["cycles"] as? Double)
      #expect(abs(got - want) <= max(1e-3, 1e-5 * abs(want)))
      #expect((a["geometry"] as? [String: Int]) == (e["geometry"] as? [String: Int]))
    }
  }

  @Test func casesAcceptADescriptionFileAndExplainBadQueries() throws {
    let queries = scratch.file("q.json")
    let soc = scratch.file("mine.toml")
    try """
    name = "mine"
    clock_mhz = 100
    mapping_style = "shared-weights"
    [[units]]
    name = "u"
    operations = ["convolution"]
    weights = "int8"
    activations = "uint8"
    cycles = "ch * c_in * k_x * k_y * o_x * o_y"
    """.write(toFile: soc, atomically: true, encoding: .utf8)
    try """
    [{"soc": "\(soc)", "unit": "u", "groups": 1, "geometry": {"c_in": 2, "c_out": 4, "k": 3, "o_x": 5, "o_y": 5}, "channels": 3}]
    """.write(toFile: queries, atomically: true, encoding: .utf8)
    let ok = try odimo("cost", "cases", queries, "--json")
    #expect(ok.status == 0, "\(ok.stderr)")
    #expect(ok.stdout.contains("\"cycles\" : 1350"))
    try """
    [{"soc": "diana", "unit": "analog", "groups": 8, "geometry": {"c_in": 8, "c_out": 8, "k": 3, "o_x": 5, "o_y": 5}, "channels": 3}]
    """.write(toFile: queries, atomically: true, encoding: .utf8)
    let depthwiseOnAnalog = try odimo("cost", "cases", queries)
    #expect(depthwiseOnAnalog.status == 3)
    #expect(depthwiseOnAnalog.stderr.contains("query 0") && depthwiseOnAnalog.stderr.contains("analog"))
    try "[{\"soc\": \"diana\"}]".write(toFile: queries, atomically: true, encoding: .utf8)
    let missing = try odimo("cost", "cases", queries)
    #expect(missing.status == 3 && missing.stderr.contains("unit"))
    // Sizes whose products would overflow: refused with the sizes named (this crashed).
    try """
    [{"soc": "diana", "unit": "digital", "groups": 1, "geometry": {"c_in": 1099511627776, "c_out": 4, "k": 3, "o_x": 1048576, "o_y": 1048576}, "channels": 3}]
    """.write(toFile: queries, atomically: true, encoding: .utf8)
    let huge = try odimo("cost", "cases", queries)
    #expect(huge.status == 3 && huge.stderr.contains("1099511627776"), "\(huge.stderr)")
    let input = try odimo(
      "cost", "network", "--soc", "diana", "--model", "resnet8", "--input", "2147483648", "--mapping", "all-digital")
    #expect(input.status == 64 && input.stderr.contains("--input is 2147483648"), "\(input.stderr)")
  }

  @Test func networkJSONHasTotalsAndLayers() throws {
    let result = try odimo(
      "cost", "network", "--soc", "diana", "--model", "resnet20", "--mapping", "all-digital", "--json")
    #expect(result.status == 0, "\(result.stderr)")
    let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let layers = try #require(report["layers"] as? [[String: Any]])
    #expect(layers.count == 22)
    let latency = try #require(report["latency_cycles"] as? Double)
    let sum = layers.compactMap { $0["latency_cycles"] as? Double }.reduce(0, +)
    #expect(abs(latency - sum) < 1e-6)
    #expect(abs((report["latency_ms"] as? Double ?? 0) - latency / 260e3) < 1e-9)
    #expect((report["energy_uj"] as? Double ?? 0) > 0)
    let first = try #require(layers.first?["units"] as? [[String: Any]])
    #expect((first[0]["geometry"] as? [String: Any])?["c_in"] as? Int == 3)
  }

  @Test func networkAcceptsAMappingFileAndTextTable() throws {
    let result = try odimo("cost", "network", "--soc", "darkside", "--model", "mobilenetv1", "--mapping", "dws")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("block3.dw"))
    #expect(result.stdout.contains("total:"))
    let mapping = scratch.file("m.json")
    try """
    {"format": "odimo-mapping", "format_version": 1, "name": "tiny", "soc": "naive", "model": "resnet8",
     "units": ["digital"], "replaces_blocks": false, "layers": []}
    """.write(toFile: mapping, atomically: true, encoding: .utf8)
    let incomplete = try odimo("cost", "network", "--soc", "naive", "--model", "resnet8", "--mapping", mapping)
    #expect(incomplete.status == 3)
    #expect(incomplete.stderr.contains("no entry for layer stem"))
  }

  /// An unknown SoC or mapping may be a missing file (bad input, 3); an unknown model is an
  /// impossible option value (64). Each lists the choices.
  @Test func badNamesListChoices() throws {
    let soc = try odimo("cost", "network", "--soc", "tpu", "--model", "resnet20", "--mapping", "balanced")
    #expect(soc.status == 3 && soc.stderr.contains("darkside"))
    let model = try odimo("cost", "network", "--soc", "diana", "--model", "vgg", "--mapping", "balanced")
    #expect(model.status == 64 && model.stderr.contains("resnet20"))
    let mapping = try odimo("cost", "network", "--soc", "diana", "--model", "resnet20", "--mapping", "fastest")
    #expect(mapping.status == 3 && mapping.stderr.contains("min-latency-max8bit"))
    let dws = try odimo("cost", "network", "--soc", "darkside", "--model", "resnet20", "--mapping", "dws")
    #expect(dws.status == 3 && dws.stderr.contains("depthwise-separable"))
  }
}
