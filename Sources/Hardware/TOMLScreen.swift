/// Finds the empty values toml++ (inside TOMLKit) aborts the process on instead of
/// reporting — `key =` with nothing (or a comment, a comma or a closing bracket) after it, an
/// array element missing between commas, a closing bracket that closes nothing — so
/// `StrictTOML` can refuse them with their line. Skips strings and comments; everything it
/// lets through is still parsed (and checked) by TOMLKit.
struct TOMLScreen {
  private let characters: [Character]
  private var index = 0
  private var line = 1
  /// The `[` of array values and `{` of inline tables being read.
  private var open: [Character] = []
  /// Whether only blanks precede `index` on its line (a `[` there starts a table header).
  private var lineStart = true

  init(_ text: String) { characters = Array(text) }

  mutating func run() throws(StrictTOML.Failure) {
    while index < characters.count {
      let c = characters[index]
      switch c {
      case "\"", "'":
        skipString()
        lineStart = false
      case "#": skipComment()
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
        try requireElement()
      case "{":
        open.append("{")
        index += 1
      case "]" where open.last == "[", "}" where open.last == "{":
        open.removeLast()
        index += 1
      case "]", "}": throw fail("a '\(c)' that closes nothing")
      case "," where open.last == "[":
        index += 1
        try requireElement()
      case "[":
        // A table header: StrictTOML.screenTableHeaders checked it.
        while index < characters.count, characters[index] != "\n" { index += 1 }
      default:
        if c != " " && c != "\t" && c != "\r" { lineStart = false }
        index += 1
      }
    }
  }

  private func fail(_ message: String) -> StrictTOML.Failure {
    StrictTOML.Failure(message: message, line: line, column: nil)
  }

  /// After `[` or `,` in an array: an element or `]` must follow, not `,` or `}`.
  private mutating func requireElement() throws(StrictTOML.Failure) {
    if let next = nextSignificant(allowNewlines: true), ",}".contains(next) {
      throw fail("an array with a missing element")
    }
  }

  private mutating func skipComment() {
    while index < characters.count, characters[index] != "\n" { index += 1 }
  }

  /// Skips spaces (and, inside arrays, newlines and comments); returns the next character.
  private mutating func nextSignificant(allowNewlines: Bool) -> Character? {
    while index < characters.count {
      let c = characters[index]
      if c == " " || c == "\t" || c == "\r" {
        index += 1
      } else if allowNewlines, c == "\n" {
        line += 1
        index += 1
      } else if allowNewlines, c == "#" {
        skipComment()
      } else {
        return c
      }
    }
    return nil
  }

  /// Skips a basic or literal string, single- or triple-quoted.
  private mutating func skipString() {
    let quote = characters[index]
    let triple = index + 2 < characters.count && characters[index + 1] == quote && characters[index + 2] == quote
    index += triple ? 3 : 1
    while index < characters.count {
      let c = characters[index]
      if c == "\n" {
        if !triple { return }
        line += 1
      }
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
      index += 1
    }
  }
}
