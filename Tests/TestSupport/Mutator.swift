import Datasets
import Foundation
import Support

/// Seeded mutation for fuzz tests: the same seed gives the same mutants on every run, so a
/// failure reproduces. `Mutator.cases` is 2,000 unless `ODIMO_FUZZ_CASES` says otherwise.
public struct Mutator {
  /// Cases per format (`ODIMO_FUZZ_CASES`, default 2,000).
  public static let cases = ProcessInfo.processInfo.environment["ODIMO_FUZZ_CASES"].flatMap(Int.init) ?? 2_000

  var generator: SplitMix64

  public init(state: UInt64) { generator = SplitMix64(seed: state) }

  public mutating func next() -> UInt64 { generator.next() }

  /// A number in 0..<n (0 when n ≤ 1).
  public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

  /// One to four edits of `bytes`: replace a byte, delete a run, duplicate a run, or insert
  /// one of `tokens` (random bytes when there are none).
  public mutating func mutate(_ bytes: [UInt8], tokens: [[UInt8]] = []) -> [UInt8] {
    var bytes = bytes
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
        let token =
          tokens.isEmpty
          ? (0..<(1 + below(8))).map { _ in UInt8(truncatingIfNeeded: next()) } : tokens[below(tokens.count)]
        bytes.insert(contentsOf: token, at: at)
      }
    }
    return bytes
  }

  /// `mutate` on text, splicing `tokens` of the text's own syntax.
  public mutating func mutate(_ text: String, tokens: [String]) -> String {
    String(decoding: mutate(Array(text.utf8), tokens: tokens.map { Array($0.utf8) }), as: UTF8.self)
  }
}
