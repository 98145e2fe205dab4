/// Why a chart could not be drawn or written.
public struct PlotError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
