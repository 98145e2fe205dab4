import Hardware
import Testing

@Suite struct SoCDescriptionTests {
  static let valid = """
    name = "tiny"
    clock_mhz = 100
    mapping_style = "shared-weights"

    [constants]
    lanes = 8

    [formulas]
    tiles = "ceildiv(ch, lanes)"
    work = "tiles * c_in"

    [[units]]
    name = "only"
    operations = ["convolution"]
    weights = "int8"
    activations = "uint8"
    cycles = "work * o_x * o_y"
    """

  private func error(_ text: String) -> SoCDescriptionError? {
    do {
      _ = try SoC.parse(text, file: "soc.toml")
      return nil
    } catch let error as SoCDescriptionError {
      return error
    } catch {
      return nil
    }
  }

  @Test func constantsAndFormulasCompose() throws {
    let soc = try SoC.parse(Self.valid, file: "tiny.toml")
    let g = LayerGeometry(cIn: 4, cOut: 16, kX: 3, kY: 3, oX: 2, oY: 2)
    #expect(soc.units[0].cycles.evaluate(g, channels: Dual(9), convention: .corrected).value == 2 * 4 * 4)
    #expect(soc.clockHz == 100e6)
    #expect(!soc.hasPowerData)
  }

  @Test func formulaErrorsPointAtLineAndColumn() throws {
    let bad = Self.valid.replacingOccurrences(
      of: "cycles = \"work * o_x * o_y\"", with: "cycles = \"work * o_z * o_y\"")
    let failure = try #require(error(bad))
    #expect(failure.line == 17)
    #expect(failure.column == 18)
    #expect(failure.description.hasPrefix("soc.toml:17:18: unit 'only' cycles: unknown variable 'o_z'"))
    let badFormula = try #require(error(Self.valid.replacingOccurrences(of: "tiles * c_in", with: "tiles * * c_in")))
    #expect(badFormula.line == 10 && badFormula.message.contains("formula 'work'"))
  }

  @Test func tomlSyntaxErrorsCarryPosition() throws {
    let failure = try #require(error("name = \"x\"\nclock_mhz = = 3\n"))
    #expect(failure.line == 2)
    #expect(failure.column != nil)
  }

  @Test func structuralErrorsNameTheField() throws {
    #expect(
      try #require(error(Self.valid.replacingOccurrences(of: "clock_mhz = 100", with: ""))).message.contains(
        "clock_mhz"))
    #expect(try #require(error(Self.valid + "\nspeed = 3\n")).message.contains("speed"))
    #expect(
      try #require(error(Self.valid.replacingOccurrences(of: "\"convolution\"", with: "\"pooling\""))).message.contains(
        "pooling"))
    #expect(
      try #require(error(Self.valid.replacingOccurrences(of: "shared-weights", with: "mixed"))).message.contains(
        "mixed"))
    #expect(
      try #require(error(Self.valid.replacingOccurrences(of: "\"int8\"", with: "\"int99\""))).message.contains("int99"))
    let power = Self.valid + "\n[power]\nmodel = \"busy-sets\"\nstates = []\n"
    #expect(try #require(error(power)).message.contains("{only}"))
  }

  /// Numbers no SoC can have are refused when the description is read, naming the unit
  /// and the field, instead of surfacing later as NaN or negative energy.
  @Test func impossibleNumbersAreRefused() throws {
    let formula = "cycles = \"work * o_x * o_y\""
    for (cycles, expected) in [
      ("ch / 0", "nan cycles"), ("ceildiv(ch, 0)", "cycles"), ("ch % 0", "nan cycles"), ("ch - 100", "-100.0 cycles"),
      ("c_in / (ch - ch)", "cycles"),
    ] {
      let failure = try #require(error(Self.valid.replacingOccurrences(of: formula, with: "cycles = \"\(cycles)\"")))
      #expect(failure.message.contains("unit 'only' cycles") && failure.message.contains(expected), "\(cycles)")
      #expect(failure.line == 17)
    }
    #expect(
      try #require(error(Self.valid.replacingOccurrences(of: "clock_mhz = 100", with: "clock_mhz = 0"))).message
        .contains("clock_mhz"))
    let power = Self.valid.replacingOccurrences(
      of: "activations = \"uint8\"", with: "activations = \"uint8\"\npower_mw = nan")
    #expect(try #require(error(power)).message.contains("power_mw"))
    let clock = Self.valid.replacingOccurrences(
      of: "activations = \"uint8\"", with: "activations = \"uint8\"\nclock_mhz = -5")
    #expect(try #require(error(clock)).message.contains("clock_mhz"))
    // Every shipped description passes the same checks.
    for (name, url) in SoCCatalogue.shippedDescriptions {
      #expect(throws: Never.self, "\(name)") { try SoC.load(contentsOf: url.path) }
    }
  }

  /// Table headers toml++ would abort the process on (found by fuzzing) are refused with
  /// their line.
  @Test func malformedHeadersAreRefusedNotFatal() throws {
    for header in ["[", "[[", "[?power]", "[ ]", "[[units]", "[a.]"] {
      let failure = try #require(error(Self.valid + "\n" + header + "\nx = 1\n"), "\(header)")
      #expect(failure.message.contains("table header") && failure.line == 18, "\(header): \(failure)")
    }
    #expect(error(Self.valid + "\n[\"quoted key\".bare] # comment\n") != nil)  // well-formed, unknown table
  }

  @Test func cyclicFormulasAreReported() throws {
    let cyclic = Self.valid.replacingOccurrences(of: "tiles = \"ceildiv(ch, lanes)\"", with: "tiles = \"work + 1\"")
    #expect(try #require(error(cyclic)).message.contains("cycle"))
  }

  @Test func catalogueFindsBuiltinsShippedFilesAndRefusesUnknowns() throws {
    #expect(try SoCCatalogue.soc("diana").name == "diana")
    #expect(try SoCCatalogue.soc("trio").units.count == 3)
    #expect(SoCCatalogue.shippedDescriptions.keys.sorted() == ["darkside", "diana", "trio"])
    let unknown = try #require(throws: SoCDescriptionError.self) { try SoCCatalogue.soc("tpu") }
    #expect(unknown.description.contains("diana") && unknown.description.contains("trio.toml"))
  }
}
