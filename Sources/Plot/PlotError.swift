/// Why a chart could not be drawn or written.
package struct PlotError: Error, CustomStringConvertible, Sendable {
  package let description: String
  package init(_ description: String) { self.description = description }
}
