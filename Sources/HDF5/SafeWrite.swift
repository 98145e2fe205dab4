import Foundation

/// Writes files so that a crash or an error never leaves a half-written file under the
/// final name, and an existing file is replaced only once its successor is complete:
/// the writer fills a temporary file in the same folder, which is flushed to disk and
/// renamed over the target (rename is atomic within a file system).
public enum SafeWrite {
  /// A failure to put the finished file in place.
  public struct Failure: Error, CustomStringConvertible, Sendable {
    public let target: String
    public let detail: String
    public var description: String { "\(target): could not write safely: \(detail)" }
  }

  /// Calls `body` with a temporary path next to `target`; when it returns, the
  /// temporary file is synced and renamed to `target`. If `body` throws, the temporary
  /// file is removed and `target` is left as it was.
  @discardableResult
  public static func replace<R>(_ target: String, _ body: (_ temporaryPath: String) throws -> R) throws -> R {
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
    } catch let error as HDF5Error where error.kind == .writeFailed || Self.isDiskFull(error) {
      unlink(temporary)
      // Name the file the user asked for (not the temporary one) and say why in words.
      throw Failure(
        target: target,
        detail: Self.isDiskFull(error)
          ? "the disk is full (no space left on the device); \(target) was left as it was"
          : "\(error); \(target) was left as it was")
    } catch {
      unlink(temporary)
      throw error
    }
  }

  /// Changes an existing HDF5 file safely: a copy next to it is opened for writing, `body`
  /// edits it, and the finished copy replaces `target` (which stays as it was on failure).
  public static func amendHDF5(_ target: String, _ body: (HDF5File) throws -> Void) throws {
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
  public static func hdf5<R>(_ target: String, _ body: (HDF5File) throws -> R) throws -> R {
    try replace(target) { temporary in
      let file = try HDF5File.create(temporary)
      defer { file.close() }
      let result = try body(file)
      try file.finish()
      return result
    }
  }

  /// Writes `data` to `target` safely.
  public static func write(_ data: Data, to target: String) throws {
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

  /// Whether HDF5 failed for lack of space (its message carries the OS error).
  static func isDiskFull(_ error: HDF5Error) -> Bool {
    let text = "\(error)"
    return text.contains("No space left") || text.contains("errno = 28")
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
