/// A dataset input or file that cannot be used, naming the file and, where it applies,
/// the record or byte offset.
public enum DatasetError: Error, CustomStringConvertible, Sendable {
  case unreadable(String, String)
  case corrupt(String, offset: Int, String)
  case badRecord(String, record: Int, String)
  case wrongFormat(String, String)
  case invalidOption(String)
  case outputExists(String)

  public var description: String {
    switch self {
    case .unreadable(let file, let detail): "\(file): \(detail)"
    case .corrupt(let file, let offset, let detail): "\(file): at byte \(offset): \(detail)"
    case .badRecord(let file, let record, let detail): "\(file): record \(record): \(detail)"
    case .wrongFormat(let file, let detail): "\(file): \(detail)"
    case .invalidOption(let detail): detail
    case .outputExists(let file): "\(file) exists; pass --force to replace it"
    }
  }
}
