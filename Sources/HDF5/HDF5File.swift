import CHDF5
import Foundation
import Support

/// What an object path in a file names.
package enum ObjectKind: String, Sendable, Codable {
  case group, dataset
}

/// An open HDF5 file. Closing is deterministic: `close()` (or the last reference going
/// away) closes the file and every object still open in it, so no handle outlives it.
package final class HDF5File: @unchecked Sendable {
  /// The path the file was opened or created at.
  package let path: String
  /// Whether the file was opened for writing.
  package let isWritable: Bool
  var id: hid_t

  private init(path: String, id: hid_t, writable: Bool) {
    self.path = path
    self.id = id
    self.isWritable = writable
    // Best effort: a failure leaves the descriptor inheritable, as HDF5 made it.
    _ = odimo_h5f_close_on_exec(id)
    _ = drainErrorStack()
  }

  deinit { close() }

  /// Creates a new file, replacing one already at `path` when `overwrite` is true.
  /// Writers that must not leave a half-written file should create it through
  /// `SafeWrite`, which hands them a temporary path.
  package static func create(_ path: String, overwrite: Bool = true) throws -> HDF5File {
    try withLibrary {
      let fapl = try fileAccessList(path)
      defer { H5Pclose(fapl) }
      let flags = overwrite ? odimo_h5f_acc_trunc() : odimo_h5f_acc_excl()
      let id = H5Fcreate(path, flags, odimo_h5p_default(), fapl)
      guard id >= 0 else {
        let stack = drainErrorStack()
        let exists = FileManager.default.fileExists(atPath: path)
        throw HDF5Error(
          exists && !overwrite ? .alreadyExists : .cannotCreate, file: path, path: "/",
          exists && !overwrite ? "the file exists and overwrite was not requested" : "",
          stack: stack)
      }
      return HDF5File(path: path, id: id, writable: true)
    }
  }

  /// Opens an existing file, read-only unless `writable`.
  package static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
    try withLibrary {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw HDF5Error(.cannotOpen, file: path, path: "/", "no such file")
      }
      guard !isDirectory.boolValue else {
        throw HDF5Error(.cannotOpen, file: path, path: "/", "is a directory, expected an HDF5 file")
      }
      // A FIFO or device would block or never end the signature check.
      let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
      guard type == .typeRegular else {
        throw HDF5Error(.cannotOpen, file: path, path: "/", "is not a regular file, expected an HDF5 file")
      }
      let signature = H5Fis_hdf5(path)
      _ = drainErrorStack()
      guard signature > 0 else {
        throw HDF5Error(
          .notHDF5, file: path, path: "/",
          "no HDF5 signature found; expected a file written by HDF5 (h5py, odimo, …)")
      }
      let fapl = try fileAccessList(path)
      defer { H5Pclose(fapl) }
      let flags = writable ? odimo_h5f_acc_rdwr() : odimo_h5f_acc_rdonly()
      let id = H5Fopen(path, flags, fapl)
      guard id >= 0 else {
        let stack = drainErrorStack()
        let truncated = stack.contains { $0.contains("truncated") || $0.contains("eof") }
        throw HDF5Error(
          .cannotOpen, file: path, path: "/",
          truncated ? "the file is truncated (shorter than its header says)" : "HDF5 refused to open it",
          stack: stack)
      }
      return HDF5File(path: path, id: id, writable: writable)
    }
  }

  private static func fileAccessList(_ path: String) throws -> hid_t {
    let fapl = H5Pcreate(odimo_h5p_file_access())
    // The earliest formats on purpose: with the 1.8+ ones (checksummed metadata) objects
    // with many attributes store them densely, and HDF5 1.10.8's H5Ocopy of such an object
    // (the evidence bundle) calls a null conversion function on variable-length strings.
    // No HDF5 file locks: odimo never writes a file another process may open (every writer
    // fills a private temporary and renames it, `SafeWrite`), so the lock guards nothing, and
    // it fails spuriously — a child process that inherits the descriptor (git, sbatch, a
    // worker spawned while the file was being opened) keeps the file locked after odimo
    // closes it, and some cluster file systems refuse flock outright.
    guard fapl >= 0, H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0, H5Pset_file_locking(fapl, false, true) >= 0
    else {
      throw HDF5Error(.cannotOpen, file: path, path: "/", "could not set up file access", stack: drainErrorStack())
    }
    return fapl
  }

  /// Whether the file is still open.
  package var isOpen: Bool { withLibrary { id >= 0 } }

  /// Flushes buffered data to disk without closing.
  package func flush() throws {
    try withLibrary {
      let file = try handle("/")
      guard H5Fflush(file, H5F_SCOPE_LOCAL) >= 0 else {
        throw HDF5Error(.writeFailed, file: path, path: "/", "flush failed", stack: drainErrorStack())
      }
    }
  }

  /// Closes the file and every object opened in it. Safe to call more than once.
  /// Flushes and closes the file, reporting what `close()` ignores: a full disk or an I/O
  /// error surfaces here (HDF5 writes its metadata at close), so a writer can refuse to
  /// put a broken file in place.
  package func finish() throws {
    try flush()
    try withLibrary {
      guard id >= 0 else { throw HDF5Error(.closed, file: path, path: "/", "the file was closed") }
      let status = H5Fclose(id)
      id = -1
      guard status >= 0 else {
        throw HDF5Error(
          .writeFailed, file: path, path: "/", "closing failed (disk full or I/O error?)", stack: drainErrorStack())
      }
    }
  }

  package func close() {
    withLibrary {
      guard id >= 0 else { return }
      H5Fclose(id)
      _ = drainErrorStack()
      id = -1
    }
  }

  /// The file id, or a `.closed` error naming `objectPath`.
  func handle(_ objectPath: String) throws -> hid_t {
    guard id >= 0 else { throw HDF5Error(.closed, file: path, path: objectPath, "the file was closed") }
    return id
  }

  func requireWritable(_ objectPath: String) throws {
    guard isWritable else {
      throw HDF5Error(.invalidArgument, file: path, path: objectPath, "the file was opened read-only")
    }
  }

  /// Normalises a user path to an absolute HDF5 path ("a/b" → "/a/b").
  static func normalise(_ objectPath: String) -> String {
    let parts = objectPath.split(separator: "/", omittingEmptySubsequences: true)
    return "/" + parts.joined(separator: "/")
  }

  // MARK: Groups and links

  /// Whether an object exists at `objectPath` (every intermediate group must exist too).
  package func contains(_ objectPath: String) -> Bool {
    withLibrary {
      guard id >= 0 else { return false }
      let full = Self.normalise(objectPath)
      if full == "/" { return true }
      var prefix = ""
      for part in full.split(separator: "/") {
        prefix += "/" + part
        guard H5Lexists(id, prefix, odimo_h5p_default()) > 0 else {
          _ = drainErrorStack()
          return false
        }
      }
      return H5Oexists_by_name(id, full, odimo_h5p_default()) > 0
    }
  }

  /// Whether `objectPath` is a group or a dataset.
  package func kind(of objectPath: String) throws -> ObjectKind {
    try withLibrary {
      let full = Self.normalise(objectPath)
      let object = try openObject(full)
      defer { H5Oclose(object) }
      switch H5Iget_type(object) {
      case H5I_GROUP: return .group
      case H5I_DATASET: return .dataset
      default:
        throw HDF5Error(.typeMismatch, file: path, path: full, "expected a group or dataset (found a named type)")
      }
    }
  }

  func openObject(_ full: String) throws -> hid_t {
    let file = try handle(full)
    guard contains(full) else { throw HDF5Error(.notFound, file: path, path: full, "no such object") }
    let object = H5Oopen(file, full, odimo_h5p_default())
    guard object >= 0 else {
      throw HDF5Error(.notFound, file: path, path: full, "could not open the object", stack: drainErrorStack())
    }
    return object
  }

  /// Creates a group and any missing parents; an existing group is left as it is.
  package func createGroup(_ objectPath: String) throws {
    try withLibrary {
      let full = Self.normalise(objectPath)
      try requireWritable(full)
      let file = try handle(full)
      if contains(full) {
        guard try kind(of: full) == .group else {
          throw HDF5Error(.alreadyExists, file: path, path: full, "a dataset already has this path")
        }
        return
      }
      let lcpl = try linkCreationList(full)
      defer { H5Pclose(lcpl) }
      let group = H5Gcreate2(file, full, lcpl, odimo_h5p_default(), odimo_h5p_default())
      guard group >= 0 else {
        throw HDF5Error(.cannotCreate, file: path, path: full, "could not create the group", stack: drainErrorStack())
      }
      H5Gclose(group)
    }
  }

  /// A link-creation property list that creates missing intermediate groups and stores
  /// link names as UTF-8 (so h5py shows them as `str`).
  func linkCreationList(_ full: String) throws -> hid_t {
    let lcpl = H5Pcreate(odimo_h5p_link_create())
    guard lcpl >= 0, H5Pset_create_intermediate_group(lcpl, 1) >= 0,
      H5Pset_char_encoding(lcpl, H5T_CSET_UTF8) >= 0
    else {
      throw HDF5Error(.cannotCreate, file: path, path: full, "could not set up link creation", stack: drainErrorStack())
    }
    return lcpl
  }

  /// The names of a group's members, in name order.
  package func children(of objectPath: String = "/") throws -> [String] {
    try withLibrary {
      let full = Self.normalise(objectPath)
      guard try kind(of: full) == .group else {
        throw HDF5Error(.typeMismatch, file: path, path: full, "expected a group, found a dataset")
      }
      let file = try handle(full)
      var info = H5G_info_t()
      guard H5Gget_info_by_name(file, full, &info, odimo_h5p_default()) >= 0 else {
        throw HDF5Error(.readFailed, file: path, path: full, "could not list the group", stack: drainErrorStack())
      }
      var names: [String] = []
      for index in 0..<info.nlinks {
        let length = H5Lget_name_by_idx(
          file, full, H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, odimo_h5p_default())
        guard length >= 0 else {
          throw HDF5Error(.readFailed, file: path, path: full, "could not read a member name", stack: drainErrorStack())
        }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        H5Lget_name_by_idx(file, full, H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, odimo_h5p_default())
        names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
      }
      return names
    }
  }

  /// Removes the link at `objectPath` (the space is reclaimed only when the file is rewritten).
  package func remove(_ objectPath: String) throws {
    try withLibrary {
      let full = Self.normalise(objectPath)
      try requireWritable(full)
      let file = try handle(full)
      guard contains(full) else { throw HDF5Error(.notFound, file: path, path: full, "no such object") }
      guard H5Ldelete(file, full, odimo_h5p_default()) >= 0 else {
        throw HDF5Error(.writeFailed, file: path, path: full, "could not remove", stack: drainErrorStack())
      }
    }
  }
}
