/// A dataset input or file that cannot be used, naming the file and, where it applies,
/// the record or byte offset.
package enum DatasetError: Error, CustomStringConvertible, Sendable, Equatable {
  case unreadable(String, String)
  case corrupt(String, offset: Int, String)
  case badRecord(String, record: Int, String)
  case wrongFormat(String, String)
  case invalidOption(String)
  case outputExists(String)
  /// A file without the validation split that epoch and mapping selection need (the test
  /// split is never used to select anything).
  case noValidationSplit(String)

  package var description: String {
    switch self {
    case .unreadable(let file, let detail): "\(file): \(detail)"
    case .corrupt(let file, let offset, let detail): "\(file): at byte \(offset): \(detail)"
    case .badRecord(let file, let record, let detail): "\(file): record \(record): \(detail)"
    case .wrongFormat(let file, let detail): "\(file): \(detail)"
    case .invalidOption(let detail): detail
    case .outputExists(let file): "\(file) exists; pass --force to replace it"
    case .noValidationSplit(let file):
      "\(file) has no 'val' split, and odimo never selects epochs or mappings on the test split; "
        + "re-import it with a validation split (odimo data import … --val-split 0.1)"
    }
  }
}
