/// Why a report could not be written or audited.
package struct ReportError: Error, CustomStringConvertible, Sendable {
  package let description: String
  package init(_ description: String) { self.description = description }
}
