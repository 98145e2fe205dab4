import Foundation
import TOMLKit

/// Decodes TOML description files strictly (unknown keys refused) and turns TOMLKit's
/// errors into one message with a position where there is one: the single place SoC
/// descriptions and preset files are parsed.
public enum StrictTOML {
  /// What went wrong, and where when the parser knows (1-based).
  public struct Failure: Error, Sendable {
    public let message: String
    public let line: Int?
    public let column: Int?
  }

  public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws(Failure) -> T {
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

  /// Refuses an empty value before TOMLKit sees it — `key =` with nothing (or a comment, a
  /// comma or a closing bracket) after it, or an array element missing between commas —
  /// which toml++ also aborts on instead of reporting. A small scanner that skips strings
  /// and comments; everything it lets through is still parsed by TOMLKit.
  static func screenEmptyValues(_ text: String) throws(Failure) {
    let characters = Array(text)
    var index = 0
    var line = 1
    var open: [Character] = []  // the '[' of array values and '{' of inline tables being read
    func fail(_ message: String) -> Failure { Failure(message: message, line: line, column: nil) }
    /// Skips spaces (and, inside arrays, newlines and comments); returns the next character.
    func nextSignificant(allowNewlines: Bool) -> Character? {
      while index < characters.count {
        let c = characters[index]
        if c == " " || c == "\t" || c == "\r" {
          index += 1
        } else if allowNewlines, c == "\n" {
          line += 1
          index += 1
        } else if allowNewlines, c == "#" {
          while index < characters.count, characters[index] != "\n" { index += 1 }
        } else {
          return c
        }
      }
      return nil
    }
    func skipString() {
      let quote = characters[index]
      let triple = index + 2 < characters.count && characters[index + 1] == quote && characters[index + 2] == quote
      index += triple ? 3 : 1
      while index < characters.count {
        let c = characters[index]
        if c == "\n" { line += 1 }
        if c == "\\", quote == "\"" {
          index += 2
          continue
        }
        if c == quote {
          if !triple {
            index += 1
            return
          }
          if index + 2 < characters.count, characters[index + 1] == quote, characters[index + 2] == quote {
            index += 3
            return
          }
        }
        if !triple, c == "\n" { return }
        index += 1
      }
    }
    var lineStart = true
    while index < characters.count {
      let c = characters[index]
      switch c {
      case "\"", "'":
        skipString()
        lineStart = false
      case "#":
        while index < characters.count, characters[index] != "\n" { index += 1 }
      case "\n":
        line += 1
        index += 1
        lineStart = open.isEmpty
      case "=":
        index += 1
        guard let next = nextSignificant(allowNewlines: false), !"\n#,]}".contains(next) else {
          throw fail("a key without a value")
        }
        lineStart = false
      case "[" where !lineStart:
        open.append("[")
        index += 1
        if let next = nextSignificant(allowNewlines: true), ",}".contains(next) {
          throw fail("an array with a missing element")
        }
      case "{":
        open.append("{")
        index += 1
      case "]" where open.last == "[", "}" where open.last == "{":
        open.removeLast()
        index += 1
      case "]", "}":
        throw fail("a '\(c)' that closes nothing")
      case "," where open.last == "[":
        index += 1
        if let next = nextSignificant(allowNewlines: true), ",}".contains(next) {
          throw fail("an array with a missing element")
        }
      case "[":
        // A table header (at the start of a line): screenTableHeaders checked it.
        while index < characters.count, characters[index] != "\n" { index += 1 }
      default:
        if c != " " && c != "\t" && c != "\r" { lineStart = false }
        index += 1
      }
    }
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
