/// A search, sweep or preset request that cannot be carried out, with the data a message needs.
public enum SearchError: Error, CustomStringConvertible, Sendable, Equatable {
  /// A preset field outside its range.
  case invalidPreset(preset: String, field: String, value: String, expected: String)
  /// A preset file that cannot be read or parsed.
  case presetFile(file: String, message: String)

  public var description: String {
    switch self {
    case .invalidPreset(let preset, let field, let value, let expected):
      "preset \(preset): \(field) is \(value); expected \(expected)"
    case .presetFile(let file, let message): "\(file): \(message)"
    }
  }
}
