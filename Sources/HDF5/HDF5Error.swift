import CHDF5
import Foundation

/// A failure reported by the HDF5 module: what went wrong, in which file and at which
/// object path, plus the messages HDF5 itself left on its error stack (innermost last).
package struct HDF5Error: Error, CustomStringConvertible, Sendable {
  /// What kind of failure this is, so callers can react without parsing text.
  package enum Kind: String, Sendable {
    case notHDF5 = "not an HDF5 file"
    case cannotOpen = "cannot open"
    case cannotCreate = "cannot create"
    case notFound = "not found"
    case alreadyExists = "already exists"
    case typeMismatch = "element type mismatch"
    case shapeMismatch = "shape mismatch"
    case invalidArgument = "invalid argument"
    case readFailed = "read failed"
    case writeFailed = "write failed"
    case closed = "file is closed"
  }

  package let kind: Kind
  /// The file the operation was on.
  package let file: String
  /// The object path inside the file ("/" for the root or the file itself).
  package let path: String
  /// Our explanation: what was expected and what was found.
  package let detail: String
  /// HDF5's own error-stack messages, outermost first.
  package let stack: [String]

  package init(_ kind: Kind, file: String, path: String, _ detail: String, stack: [String] = []) {
    self.kind = kind
    self.file = file
    self.path = path
    self.detail = detail
    self.stack = stack
  }

  package var description: String {
    var text = "\(file): \(path): \(kind.rawValue)"
    if !detail.isEmpty { text += ": \(detail)" }
    if let innermost = stack.last { text += " (HDF5: \(innermost))" }
    return text
  }
}

/// Serial HDF5 is not thread-safe: every call into the library goes through this lock.
/// It is recursive because the module's operations are built from one another.
let libraryLock = NSRecursiveLock()

/// Runs `body` holding the library lock, after making sure HDF5 is initialised and
/// its automatic error printing to stderr is switched off (errors become `HDF5Error`).
@inline(__always)
func withLibrary<R>(_ body: () throws -> R) rethrows -> R {
  libraryLock.lock()
  defer { libraryLock.unlock() }
  _ = libraryInitialised
  // Debian builds HDF5 thread-safe, where the error stack and its automatic printing
  // are per thread: silence printing on whichever thread is calling.
  H5Eset_auto2(odimo_h5e_default(), nil, nil)
  return try body()
}

private let libraryInitialised: Bool = {
  // No cleanup at exit: every file odimo writes is closed (and checked) by its writer, and
  // HDF5 1.10's exit handler crashes on a file whose close failed (a full disk).
  H5dont_atexit()
  H5open()
  return true
}()

/// Drains HDF5's error stack into readable lines ("function: message").
func drainErrorStack() -> [String] {
  final class Box { var lines: [String] = [] }
  let box = Box()
  let context = Unmanaged.passUnretained(box).toOpaque()
  H5Ewalk2(
    odimo_h5e_default(), H5E_WALK_DOWNWARD,
    { _, entry, context in
      guard let entry, let context else { return 0 }
      let box = Unmanaged<Box>.fromOpaque(context).takeUnretainedValue()
      let function = entry.pointee.func_name.map { String(cString: $0) } ?? "?"
      let message = entry.pointee.desc.map { String(cString: $0) } ?? ""
      box.lines.append("\(function): \(message)")
      return 0
    }, context)
  H5Eclear2(odimo_h5e_default())
  return box.lines
}

/// The version of the linked HDF5 library, e.g. "1.10.8".
package var hdf5LibraryVersion: String {
  withLibrary {
    var major: UInt32 = 0
    var minor: UInt32 = 0
    var release: UInt32 = 0
    H5get_libversion(&major, &minor, &release)
    return "\(major).\(minor).\(release)"
  }
}
