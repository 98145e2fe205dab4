import Foundation
import TOMLKit

/// Decodes TOML description files strictly (unknown keys refused) and turns TOMLKit's
/// errors into one message with a position where there is one: the single place SoC
/// descriptions and preset files are parsed.
package enum StrictTOML {
  /// What went wrong, and where when the parser knows (1-based).
  package struct Failure: Error, Sendable {
    package let message: String
    package let line: Int?
    package let column: Int?
  }

  package static func decode<T: Decodable>(_ type: T.Type, from text: String) throws(Failure) -> T {
    try screenTableHeaders(text)
    try screenEmptyValues(text)
    do {
      var decoder = TOMLDecoder()
      decoder.strictDecoding = true
      return try decoder.decode(type, from: text)
    } catch let error as TOMLParseError {
      throw Failure(message: error.description, line: error.source.begin.line, column: error.source.begin.column)
    } catch let error as UnexpectedKeysError {
      let keys = error.keys.values.map { $0.map(\.stringValue).joined(separator: ".") }.sorted()
      throw Failure(
        message: "unknown key\(keys.count == 1 ? "" : "s") \(keys.joined(separator: ", "))", line: nil, column: nil)
    } catch let error as DecodingError {
      throw Failure(message: message(error), line: nil, column: nil)
    } catch {
      throw Failure(message: "\(error)", line: nil, column: nil)
    }
  }

  /// Refuses a malformed table header line (outside multi-line strings) before TOMLKit sees
  /// it: toml++ 3, inside TOMLKit, aborts the whole process with a failed internal assertion
  /// on a header such as `[` or `[?power]` instead of reporting a parse error (found by
  /// fuzzing). A header is `[key]` or `[[key]]`, key = bare, "quoted" or 'literal' parts
  /// joined by dots, optionally followed by a comment.
  static func screenTableHeaders(_ text: String) throws(Failure) {
    let key = #"(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"#
    let pattern = #"^\s*(\[\[|\[)\s*"# + key + #"(?:\s*\.\s*"# + key + #")*\s*(\]\]|\])\s*(?:#.*)?$"#
    guard let header = try? NSRegularExpression(pattern: pattern) else { return }
    var inString = false
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let body = String(line)
      if !inString, body.trimmingCharacters(in: .whitespaces).hasPrefix("[") {
        let range = NSRange(body.startIndex..., in: body)
        guard let match = header.firstMatch(in: body, range: range),
          let open = Range(match.range(at: 1), in: body), let close = Range(match.range(at: 2), in: body),
          body[open].count == body[close].count
        else {
          throw Failure(
            message:
              "malformed table header '\(body.trimmingCharacters(in: .whitespaces))'; expected [name] or [[name]]",
            line: index + 1, column: 1)
        }
      }
      // Multi-line strings open and close with triple quotes.
      for quote in ["\"\"\"", "'''"] where body.components(separatedBy: quote).count % 2 == 0 { inString.toggle() }
    }
  }

  /// Refuses an empty value before TOMLKit sees it (see `TOMLScreen`).
  static func screenEmptyValues(_ text: String) throws(Failure) {
    var screen = TOMLScreen(text)
    try screen.run()
  }

  /// A decoding error as "path: expected Type" or "missing key 'k' in path".
  static func message(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }
    switch error {
    case .keyNotFound(let key, let context):
      let parent = path(
        context.codingPath.last?.stringValue == key.stringValue ? context.codingPath.dropLast() : context.codingPath)
      return "missing key '\(key.stringValue)'" + (parent.isEmpty ? "" : " in \(parent)")
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
      return "\(path(context.codingPath)): expected \(type)"
    case .dataCorrupted(let context):
      return "\(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
      return String(describing: error)
    }
  }
}
