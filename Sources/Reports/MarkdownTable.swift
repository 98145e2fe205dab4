import Foundation

/// A GitHub-flavoured Markdown table: one header row and rows of cells (no pipes inside cells).
package struct MarkdownTable: Sendable, Equatable {
  package var header: [String]
  package var rows: [[String]]

  package init(header: [String], rows: [[String]]) {
    self.header = header
    self.rows = rows
  }

  /// The table as Markdown lines; `numeric` columns are right-aligned.
  package func markdown(numeric: Set<Int> = []) -> String {
    let separator = header.indices.map { numeric.contains($0) ? "---:" : "---" }
    return ([header, separator] + rows).map { "| " + $0.joined(separator: " | ") + " |" }.joined(separator: "\n")
  }

  /// The cell of `row` under the column named `column`, if the table has that column.
  package func cell(_ row: [String], _ column: String) -> String? {
    guard let index = header.firstIndex(of: column), index < row.count else { return nil }
    return row[index]
  }

  /// Every table in a Markdown document, in order, with the line number of its header.
  package static func parse(_ text: String) -> [(line: Int, table: MarkdownTable)] {
    let lines = text.components(separatedBy: "\n")
    func cells(_ line: String) -> [String] {
      var body = line.trimmingCharacters(in: .whitespaces)
      if body.hasPrefix("|") { body.removeFirst() }
      if body.hasSuffix("|") { body.removeLast() }
      return body.split(separator: "|", omittingEmptySubsequences: false).map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    }
    func isSeparator(_ line: String) -> Bool {
      let parts = cells(line)
      return !parts.isEmpty
        && parts.allSatisfy { part in !part.isEmpty && part.allSatisfy { "-:".contains($0) } && part.contains("-") }
    }
    var tables: [(Int, MarkdownTable)] = []
    var index = 0
    while index + 1 < lines.count {
      let line = lines[index].trimmingCharacters(in: .whitespaces)
      if line.hasPrefix("|"), isSeparator(lines[index + 1]) {
        let header = cells(line)
        var rows: [[String]] = []
        var next = index + 2
        while next < lines.count, lines[next].trimmingCharacters(in: .whitespaces).hasPrefix("|") {
          rows.append(cells(lines[next]))
          next += 1
        }
        tables.append((index + 1, MarkdownTable(header: header, rows: rows)))
        index = next
      } else {
        index += 1
      }
    }
    return tables
  }
}
