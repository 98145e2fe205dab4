import Foundation
import Support

extension SafeWrite {
  /// Changes an existing HDF5 file safely: a copy next to it is opened for writing, `body`
  /// edits it, and the finished copy replaces `target` (which stays as it was on failure).
  package static func amendHDF5(_ target: String, _ body: (HDF5File) throws -> Void) throws {
    try replace(target) { temporary in
      try FileManager.default.copyItem(atPath: target, toPath: temporary)
      let file = try HDF5File.open(temporary, writable: true)
      defer { file.close() }
      try body(file)
      try file.finish()
    }
  }

  /// Creates an HDF5 file at a temporary path next to `target`, lets `body` fill it, then
  /// flushes and closes it — checking both, since HDF5 writes metadata at close — before
  /// syncing and renaming it over `target`. Every odimo HDF5 writer goes through here.
  @discardableResult
  package static func hdf5<R>(_ target: String, _ body: (HDF5File) throws -> R) throws -> R {
    try replace(target) { temporary in
      let file = try HDF5File.create(temporary)
      defer { file.close() }
      let result = try body(file)
      try file.finish()
      return result
    }
  }

}

extension HDF5Error: StorageFailure {
  package var failedToWrite: Bool { kind == .writeFailed }

  /// Whether HDF5 failed for lack of space (its message carries the OS error).
  package var diskIsFull: Bool {
    let text = "\(self)"
    return text.contains("No space left") || text.contains("errno = 28")
  }
}
