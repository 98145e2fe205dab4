import Engine
import Foundation
import Hardware
import Testing

/// Seeded mutation fuzzing of the text formats users hand-edit: every mutant of a valid
/// mapping file must decode and cost, or be refused with an error — never crash or hang.
/// `ODIMO_FUZZ_CASES` raises the number of cases (default 2,000). (SoC descriptions are not
/// fuzzed here yet: TOMLKit's toml++ aborts on some malformed values, see StrictTOML.)
@Suite struct FuzzTests {
  static let cases = ProcessInfo.processInfo.environment["ODIMO_FUZZ_CASES"].flatMap(Int.init) ?? 2_000

  /// A small deterministic generator (the suite must give the same cases every run).
  struct Mutator {
    var state: UInt64

    mutating func next() -> UInt64 {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// One to four edits: replace, delete, duplicate or insert bytes, or splice a token.
    mutating func mutate(_ text: String) -> String {
      var bytes = Array(text.utf8)
      let tokens = [
        "(", ")", "\"", "[", "]", "=", "\n", "#", "0", "-1", "1e308", "nan", "inf", "/", "%", "^", "?", ":", "ch",
        "ceildiv(", "gate(", ",", "[[units]]", "{", "}", "\\u0000", "é", "999999999999999999999",
      ]
      for _ in 0..<(1 + below(4)) {
        let at = below(bytes.count + 1)
        switch below(5) {
        case 0 where !bytes.isEmpty: bytes[min(at, bytes.count - 1)] = UInt8(truncatingIfNeeded: next())
        case 1 where !bytes.isEmpty:
          let end = min(bytes.count, at + 1 + below(20))
          bytes.removeSubrange(min(at, end)..<end)
        case 2 where !bytes.isEmpty:
          let start = min(at, bytes.count - 1)
          let end = min(bytes.count, start + 1 + below(40))
          bytes.insert(contentsOf: bytes[start..<end], at: start)
        default:
          bytes.insert(contentsOf: Array(tokens[below(tokens.count)].utf8), at: at)
        }
      }
      return String(decoding: bytes, as: UTF8.self)
    }
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
      let text = mutator.mutate(valid)
      guard let decoded = try? JSONDecoder().decode(Mapping.self, from: Data(text.utf8)) else { continue }
      // A decodable mutant must be costed or refused, never trap.
      _ = try? plan.cost(of: decoded)
    }
  }
}
