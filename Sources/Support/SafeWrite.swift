import Foundation

/// Writes files so that a crash or an error never leaves a half-written file under the
/// final name, and an existing file is replaced only once its successor is complete:
/// the writer fills a temporary file in the same folder, which is flushed to disk and
/// renamed over the target (rename is atomic within a file system).
package enum SafeWrite {
  /// A failure to put the finished file in place.
  package struct Failure: Error, CustomStringConvertible, Sendable {
    package let target: String
    package let detail: String
    package var description: String { "\(target): could not write safely: \(detail)" }
  }

  /// Calls `body` with a temporary path next to `target`; when it returns, the
  /// temporary file is synced and renamed to `target`. If `body` throws, the temporary
  /// file is removed and `target` is left as it was.
  @discardableResult
  package static func replace<R>(_ target: String, _ body: (_ temporaryPath: String) throws -> R) throws -> R {
    let url = URL(fileURLWithPath: target)
    let folder = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw Failure(target: target, detail: "the folder \(folder) does not exist")
    }
    removeStaleTemporaries(in: folder)
    let temporary = temporaryPath(for: target)
    do {
      let result = try body(temporary)
      try sync(temporary)
      guard rename(temporary, target) == 0 else {
        throw Failure(target: target, detail: String(cString: strerror(errno)))
      }
      try? sync(folder)
      return result
    } catch let error as any StorageFailure where error.failedToWrite || error.diskIsFull {
      unlink(temporary)
      // Name the file the user asked for (not the temporary one) and say why in words.
      throw Failure(
        target: target,
        detail: error.diskIsFull
          ? "the disk is full (no space left on the device); \(target) was left as it was"
          : "\(error); \(target) was left as it was")
    } catch {
      unlink(temporary)
      throw error
    }
  }

  /// Writes `data` to `target` safely.
  package static func write(_ data: Data, to target: String) throws {
    try replace(target) { temporary in
      guard FileManager.default.createFile(atPath: temporary, contents: data) else {
        let full = errno == ENOSPC
        unlink(temporary)
        throw Failure(
          target: target,
          detail: full
            ? "the disk is full (no space left on the device); \(target) was left as it was"
            : "could not create \(temporary): \(String(cString: strerror(errno)))")
      }
    }
  }

  static func sync(_ path: String) throws {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else {
      throw Failure(target: path, detail: "cannot open to sync: \(String(cString: strerror(errno)))")
    }
    defer { close(descriptor) }
    guard fsync(descriptor) == 0 else {
      throw Failure(target: path, detail: "cannot sync to disk: \(String(cString: strerror(errno)))")
    }
  }
}

/// An error of a storage library (HDF5) that `SafeWrite` reports by the file the user named:
/// a write that failed, or one that failed for lack of space.
package protocol StorageFailure: Error {
  var failedToWrite: Bool { get }
  var diskIsFull: Bool { get }
}
