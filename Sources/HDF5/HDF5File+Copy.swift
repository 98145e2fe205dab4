import CHDF5
import Foundation

extension HDF5File {
  /// Copies the object at `source` in `other` — a dataset, or a group with everything under
  /// it — with its attributes to `destination` in this file (missing parent groups are
  /// created). Chunks are copied as stored, so compressed data is not recompressed. The
  /// root group can be copied into a group: that is how a whole file nests inside another.
  package func copy(_ source: String, from other: HDF5File, to destination: String) throws {
    try withLibrary {
      let from = Self.normalise(source)
      let to = Self.normalise(destination)
      try requireWritable(to)
      guard other.contains(from) else {
        throw HDF5Error(.notFound, file: other.path, path: from, "nothing to copy there")
      }
      guard !contains(to) else {
        throw HDF5Error(.alreadyExists, file: path, path: to, "the copy's destination is taken")
      }
      let lcpl = try linkCreationList(to)
      defer { H5Pclose(lcpl) }
      let status = H5Ocopy(try other.handle(from), from, try handle(to), to, odimo_h5p_default(), lcpl)
      guard status >= 0 else {
        throw HDF5Error(
          .writeFailed, file: path, path: to, "could not copy \(from) of \(other.path)", stack: drainErrorStack())
      }
    }
  }
}
