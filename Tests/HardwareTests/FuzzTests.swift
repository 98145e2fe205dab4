import Datasets
import Engine
import Foundation
import Hardware
import Models
import TestSupport
import Testing

/// Seeded mutation fuzzing of the text formats users hand-edit: every mutant of a shipped
/// SoC description or of a valid mapping file must parse (and cost) or be refused with an
/// error — never crash or hang. `ODIMO_FUZZ_CASES` raises the number of cases (default 2,000
/// each; 20,000 pass). This is how StrictTOML's screens for toml++'s aborts were found.
@Suite struct FuzzTests {
  static let cases = Mutator.cases
  /// `ODIMO_FUZZ_KEEP=1` writes each SoC mutant to /tmp/fuzz-last.toml before parsing it, so a
  /// crash leaves its input behind.
  static let keepLast = ProcessInfo.processInfo.environment["ODIMO_FUZZ_KEEP"] == "1"

  /// Tokens of the TOML and JSON syntax and of the formula language.
  static let tokens = [
    "(", ")", "\"", "[", "]", "=", "\n", "#", "0", "-1", "1e308", "nan", "inf", "/", "%", "^", "?", ":", "ch",
    "ceildiv(", "gate(", ",", "[[units]]", "{", "}", "\\u0000", "é", "999999999999999999999",
  ]

  @Test func socDescriptionsNeverCrash() throws {
    let seeds = try SoCCatalogue.shippedDescriptions.values.sorted { $0.path < $1.path }.map {
      try String(contentsOf: $0, encoding: .utf8)
    }
    var mutator = Mutator(state: 0x5EED)
    var refused = 0
    for index in 0..<Self.cases {
      let text = mutator.mutate(seeds[index % seeds.count], tokens: Self.tokens)
      if Self.keepLast { try? text.write(toFile: "/tmp/fuzz-last.toml", atomically: false, encoding: .utf8) }
      do {
        let soc = try SoC.parse(text, file: "fuzz.toml")
        // What parses must cost without trapping.
        let geometry = LayerGeometry(cIn: 16, cOut: 16, kX: 3, kY: 3, oX: 8, oY: 8)
        for unit in soc.units where unit.runs(geometry) {
          _ = unit.cycles.evaluate(geometry, channels: Dual(3), convention: .corrected)
        }
      } catch {
        refused += 1
      }
    }
    #expect(refused > 0)
  }

  @Test func mappingFilesNeverCrash() throws {
    let model = try ModelZoo.make("resnet8", resolution: 32)
    let plan = try NetworkPlan(architecture: model, soc: .diana)
    let mapping = try plan.mapping(.allOn(unit: "digital"))
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let valid = String(decoding: try encoder.encode(mapping), as: UTF8.self)
    var mutator = Mutator(state: 0xC0FFEE)
    for _ in 0..<Self.cases {
      let text = mutator.mutate(valid, tokens: Self.tokens)
      guard let decoded = try? JSONDecoder().decode(Mapping.self, from: Data(text.utf8)) else { continue }
      // A decodable mutant must be costed or refused, never trap.
      _ = try? plan.cost(of: decoded)
    }
  }
}
