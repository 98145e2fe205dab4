/// Why a report could not be written or audited.
public struct ReportError: Error, CustomStringConvertible, Sendable {
  public let description: String
  public init(_ description: String) { self.description = description }
}
