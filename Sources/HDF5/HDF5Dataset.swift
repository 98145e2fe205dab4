import CHDF5

/// An open dataset. Reads and writes check the element type and shape against what is
/// stored and throw `HDF5Error` naming the file and path when they differ; HDF5 never
/// converts numbers silently.
package final class HDF5Dataset: @unchecked Sendable {
  package let file: HDF5File
  /// Absolute object path inside the file.
  package let path: String
  let id: hid_t

  /// The fast whole-chunk reader, when this dataset's layout allows it.
  private let chunkReader: ChunkReader?

  init(file: HDF5File, path: String, id: hid_t) {
    self.file = file
    self.path = path
    self.id = id
    let type = H5Dget_type(id)
    let elementSize = H5Tget_size(type)
    H5Tclose(type)
    let space = H5Dget_space(id)
    let rank = Int(H5Sget_simple_extent_ndims(space))
    var dims = [hsize_t](repeating: 0, count: max(rank, 1))
    H5Sget_simple_extent_dims(space, &dims, nil)
    H5Sclose(space)
    chunkReader =
      rank > 0 ? ChunkReader.make(for: id, shape: dims.prefix(rank).map { Int($0) }, elementSize: elementSize) : nil
  }

  deinit {
    withLibrary {
      if file.id >= 0 { H5Dclose(id) }
      _ = drainErrorStack()
    }
  }

  func error(_ kind: HDF5Error.Kind, _ detail: String, stack: [String] = []) -> HDF5Error {
    HDF5Error(kind, file: file.path, path: path, detail, stack: stack)
  }

  private func liveId() throws -> hid_t {
    _ = try file.handle(path)
    return id
  }

  /// The stored element type, or nil if it is not one of `ElementType` (e.g. strings).
  package var elementType: ElementType? {
    withLibrary {
      let type = H5Dget_type(id)
      defer { H5Tclose(type) }
      return ElementType.classify(type)
    }
  }

  /// A readable name of the stored type ("float32", "string", "uint16", …).
  package var typeName: String {
    withLibrary {
      let type = H5Dget_type(id)
      defer { H5Tclose(type) }
      return ElementType.describe(type)
    }
  }

  /// The current shape (rank 0 for a scalar dataset).
  package var shape: [Int] { withLibrary { dimensions().current } }

  /// The maximum shape; `nil` entries are unlimited.
  package var maxShape: [Int?] {
    withLibrary {
      dimensions().maximum.map { $0 == odimo_h5s_unlimited() ? nil : Int($0) }
    }
  }

  private func dimensions() -> (current: [Int], maximum: [hsize_t]) {
    let space = H5Dget_space(id)
    defer { H5Sclose(space) }
    let rank = Int(H5Sget_simple_extent_ndims(space))
    guard rank > 0 else { return ([], []) }
    var current = [hsize_t](repeating: 0, count: rank)
    var maximum = [hsize_t](repeating: 0, count: rank)
    H5Sget_simple_extent_dims(space, &current, &maximum)
    return (current.map { Int($0) }, maximum)
  }

  /// The chunk shape, or nil for contiguous or compact storage.
  package var chunkShape: [Int]? {
    withLibrary {
      let dcpl = H5Dget_create_plist(id)
      defer { H5Pclose(dcpl) }
      guard H5Pget_layout(dcpl) == H5D_CHUNKED else { return nil }
      let rank = Int(H5Sget_simple_extent_ndims(H5Dget_space(id)))
      var dims = [hsize_t](repeating: 0, count: max(rank, 1))
      let got = Int(H5Pget_chunk(dcpl, Int32(dims.count), &dims))
      return dims.prefix(got).map { Int($0) }
    }
  }

  /// The filter pipeline in order, e.g. ["shuffle", "gzip(4)", "fletcher32"].
  package var filters: [String] {
    withLibrary {
      let dcpl = H5Dget_create_plist(id)
      defer { H5Pclose(dcpl) }
      let count = H5Pget_nfilters(dcpl)
      guard count > 0 else { return [] }
      return (0..<count).map { index -> String in
        var flags: UInt32 = 0
        var valueCount = 4
        var values = [UInt32](repeating: 0, count: 4)
        var name = [CChar](repeating: 0, count: 64)
        var config: UInt32 = 0
        let filter = H5Pget_filter2(dcpl, UInt32(index), &flags, &valueCount, &values, name.count, &name, &config)
        switch filter {
        case H5Z_FILTER_DEFLATE: return "gzip(\(valueCount > 0 ? values[0] : 0))"
        case H5Z_FILTER_SHUFFLE: return "shuffle"
        case H5Z_FILTER_FLETCHER32: return "fletcher32"
        case H5Z_FILTER_SZIP: return "szip"
        case H5Z_FILTER_SCALEOFFSET: return "scaleoffset"
        case H5Z_FILTER_NBIT: return "nbit"
        default: return "filter(\(filter))"
        }
      }
    }
  }

  /// Elements per row (product of all axes but the first); 1 for rank ≤ 1.
  package var rowElements: Int { shape.dropFirst().reduce(1, *) }

  /// Number of rows (length of the first axis; 1 for a scalar).
  package var rowCount: Int { shape.first ?? 1 }

  private func checkType<T: HDF5Element>(_: T.Type) throws {
    guard let stored = elementType else {
      throw error(.typeMismatch, "stored type is \(typeName), which cannot be read as \(T.elementType.rawValue)")
    }
    guard stored == T.elementType else {
      throw error(.typeMismatch, "stored type is \(stored.rawValue), requested \(T.elementType.rawValue)")
    }
  }

  // MARK: Reading

  /// Reads the whole dataset, row-major.
  package func read<T: HDF5Element>(as _: T.Type = T.self) throws -> [T] {
    try withLibrary {
      let count = shape.reduce(1, *)
      var values = [T](repeating: 0, count: count)
      try values.withUnsafeMutableBufferPointer { try readAll(into: $0) }
      return values
    }
  }

  /// Reads the whole dataset and checks its shape.
  package func read<T: HDF5Element>(as type: T.Type = T.self, expectingShape expected: [Int]) throws -> [T] {
    let actual = shape
    guard actual == expected else { throw error(.shapeMismatch, "shape is \(actual), expected \(expected)") }
    return try read(as: type)
  }

  private func readAll<T: HDF5Element>(into buffer: UnsafeMutableBufferPointer<T>) throws {
    let id = try liveId()
    try checkType(T.self)
    guard
      H5Dread(id, T.elementType.nativeType, odimo_h5s_all(), odimo_h5s_all(), odimo_h5p_default(), buffer.baseAddress)
        >= 0
    else {
      throw error(.readFailed, "could not read the data (corrupt or truncated file?)", stack: drainErrorStack())
    }
  }

  /// Reads rows `rows` (a hyperslab along the first axis) into a new array.
  package func readRows<T: HDF5Element>(_ rows: Range<Int>, as _: T.Type = T.self) throws -> [T] {
    var values = [T](repeating: 0, count: rows.count * rowElements)
    try values.withUnsafeMutableBufferPointer { try readRows(rows, into: $0) }
    return values
  }

  /// Reads rows `rows` into `buffer`, which must hold exactly `rows.count × rowElements`
  /// elements. This is the data loader's hot path: no allocation.
  package func readRows<T: HDF5Element>(_ rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<T>) throws {
    try withLibrary {
      let id = try liveId()
      try checkType(T.self)
      let shape = self.shape
      try checkRows(rows, shape: shape)
      guard buffer.count == rows.count * rowElements else {
        throw error(
          .shapeMismatch, "buffer holds \(buffer.count) elements, \(rows.count) rows need \(rows.count * rowElements)")
      }
      if rows.isEmpty { return }
      if let chunkReader, chunkReader.covers(rows, totalRows: shape[0]) {
        do {
          return try chunkReader.read(id, rows: rows, rank: shape.count, into: UnsafeMutableRawBufferPointer(buffer))
        } catch let failure as ChunkReader.Failure {
          throw error(.readFailed, "\(failure.explanation) (corrupt or truncated file?)", stack: drainErrorStack())
        }
      }
      let (fileSpace, memorySpace) = try selectRows(rows, shape: shape)
      defer {
        H5Sclose(fileSpace)
        H5Sclose(memorySpace)
      }
      guard H5Dread(id, T.elementType.nativeType, memorySpace, fileSpace, odimo_h5p_default(), buffer.baseAddress) >= 0
      else {
        throw error(.readFailed, "could not read rows \(rows) (corrupt or truncated file?)", stack: drainErrorStack())
      }
    }
  }

  /// Throws unless `rows` lies within the first axis of `shape`.
  private func checkRows(_ rows: Range<Int>, shape: [Int]) throws {
    guard let total = shape.first else { throw error(.shapeMismatch, "a scalar dataset has no rows") }
    guard rows.lowerBound >= 0, rows.upperBound <= total else {
      throw error(.shapeMismatch, "rows \(rows.lowerBound)..<\(rows.upperBound) are outside 0..<\(total)")
    }
  }

  private func selectRows(_ rows: Range<Int>, shape: [Int]) throws -> (file: hid_t, memory: hid_t) {
    let fileSpace = H5Dget_space(id)
    var start = [hsize_t](repeating: 0, count: shape.count)
    start[0] = hsize_t(rows.lowerBound)
    var count = shape.map { hsize_t($0) }
    count[0] = hsize_t(rows.count)
    guard H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil) >= 0 else {
      H5Sclose(fileSpace)
      throw error(.invalidArgument, "could not select rows \(rows)", stack: drainErrorStack())
    }
    let memorySpace = H5Screate_simple(Int32(count.count), count, nil)
    return (fileSpace, memorySpace)
  }

  // MARK: Writing

  /// Writes the whole dataset; `values.count` must equal the element count.
  package func write<T: HDF5Element>(_ values: [T]) throws {
    try withLibrary {
      let id = try liveId()
      try file.requireWritable(path)
      try checkType(T.self)
      let count = shape.reduce(1, *)
      guard values.count == count else {
        throw error(.shapeMismatch, "\(values.count) values given, the dataset of shape \(shape) holds \(count)")
      }
      let status = values.withUnsafeBufferPointer {
        H5Dwrite(id, T.elementType.nativeType, odimo_h5s_all(), odimo_h5s_all(), odimo_h5p_default(), $0.baseAddress)
      }
      guard status >= 0 else { throw error(.writeFailed, "could not write", stack: drainErrorStack()) }
    }
  }

  /// Writes whole rows starting at row `start`; `values.count` must be a multiple of
  /// `rowElements` and the rows must fit in the current shape.
  package func writeRows<T: HDF5Element>(at start: Int, _ values: [T]) throws {
    try values.withUnsafeBufferPointer { try writeRows(at: start, $0) }
  }

  /// Writes whole rows starting at row `start` from a buffer.
  package func writeRows<T: HDF5Element>(at start: Int, _ values: UnsafeBufferPointer<T>) throws {
    try withLibrary {
      let id = try liveId()
      try file.requireWritable(path)
      try checkType(T.self)
      let shape = self.shape
      let perRow = rowElements
      guard !shape.isEmpty, perRow > 0, values.count % perRow == 0 else {
        throw error(.shapeMismatch, "\(values.count) values are not whole rows of \(perRow) elements (shape \(shape))")
      }
      let rows = start..<(start + values.count / perRow)
      try checkRows(rows, shape: shape)
      if rows.isEmpty { return }
      let (fileSpace, memorySpace) = try selectRows(rows, shape: shape)
      defer {
        H5Sclose(fileSpace)
        H5Sclose(memorySpace)
      }
      guard H5Dwrite(id, T.elementType.nativeType, memorySpace, fileSpace, odimo_h5p_default(), values.baseAddress) >= 0
      else {
        throw error(.writeFailed, "could not write rows \(rows)", stack: drainErrorStack())
      }
    }
  }

  /// Changes the number of rows of an extendable dataset.
  package func resize(rows: Int) throws {
    try withLibrary {
      let id = try liveId()
      try file.requireWritable(path)
      var dims = shape.map { hsize_t($0) }
      guard !dims.isEmpty, rows >= 0 else { throw error(.invalidArgument, "cannot resize to \(rows) rows") }
      if let limit = maxShape.first ?? nil, rows > limit {
        throw error(
          .shapeMismatch, "the first axis is fixed at most \(limit) rows; created without extendable storage?")
      }
      dims[0] = hsize_t(rows)
      guard H5Dset_extent(id, dims) >= 0 else {
        throw error(.writeFailed, "could not resize to \(rows) rows", stack: drainErrorStack())
      }
    }
  }

  /// Appends whole rows at the end of an extendable dataset.
  package func append<T: HDF5Element>(_ values: [T]) throws {
    try withLibrary {
      let perRow = rowElements
      guard perRow > 0, values.count % perRow == 0 else {
        throw error(.shapeMismatch, "\(values.count) values are not whole rows of \(perRow) elements")
      }
      let start = rowCount
      try resize(rows: start + values.count / perRow)
      try writeRows(at: start, values)
    }
  }
}

extension HDF5File {
  /// Creates a dataset of `type` and `shape` with the given storage options. Missing
  /// parent groups are created. Fails if the path exists.
  @discardableResult
  package func createDataset(
    _ objectPath: String, type: ElementType, shape: [Int], options: DatasetOptions = .contiguous
  ) throws -> HDF5Dataset {
    try withLibrary {
      let full = Self.normalise(objectPath)
      try requireWritable(full)
      let file = try handle(full)
      guard !contains(full) else {
        throw HDF5Error(.alreadyExists, file: path, path: full, "an object already has this path")
      }
      guard shape.allSatisfy({ $0 >= 0 }) else {
        throw HDF5Error(.invalidArgument, file: path, path: full, "negative extent in shape \(shape)")
      }
      if let level = options.gzipLevel, !(0...9).contains(level) {
        throw HDF5Error(.invalidArgument, file: path, path: full, "gzip level \(level) is outside 0…9")
      }
      let dims = shape.map { hsize_t($0) }
      var maxDims = dims
      if options.extendable {
        guard !shape.isEmpty else {
          throw HDF5Error(.invalidArgument, file: path, path: full, "a scalar dataset cannot be extendable")
        }
        maxDims[0] = odimo_h5s_unlimited()
      }
      let space = shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, maxDims)
      defer { H5Sclose(space) }
      let dcpl = H5Pcreate(odimo_h5p_dataset_create())
      defer { H5Pclose(dcpl) }
      if let chunks = options.chunkShape(for: shape, elementSize: type.size) {
        guard chunks.count == shape.count, chunks.allSatisfy({ $0 > 0 }) else {
          throw HDF5Error(.invalidArgument, file: path, path: full, "chunk shape \(chunks) does not fit shape \(shape)")
        }
        let chunkDims = chunks.map { hsize_t($0) }
        H5Pset_chunk(dcpl, Int32(chunkDims.count), chunkDims)
        // The order h5py uses: the checksum covers the bytes as stored, after compression.
        if options.shuffle { H5Pset_shuffle(dcpl) }
        if let level = options.gzipLevel { H5Pset_deflate(dcpl, UInt32(level)) }
        if options.fletcher32 { H5Pset_fletcher32(dcpl) }
      }
      let lcpl = try linkCreationList(full)
      defer { H5Pclose(lcpl) }
      let id = H5Dcreate2(file, full, type.nativeType, space, lcpl, dcpl, odimo_h5p_default())
      guard id >= 0 else {
        throw HDF5Error(.cannotCreate, file: path, path: full, "could not create the dataset", stack: drainErrorStack())
      }
      return HDF5Dataset(file: self, path: full, id: id)
    }
  }

  /// Creates a dataset and writes `values` into it in one go.
  @discardableResult
  package func write<T: HDF5Element>(
    _ values: [T], to objectPath: String, shape: [Int]? = nil, options: DatasetOptions = .contiguous
  ) throws -> HDF5Dataset {
    let shape = shape ?? [values.count]
    let dataset = try createDataset(objectPath, type: T.elementType, shape: shape, options: options)
    try dataset.write(values)
    return dataset
  }

  /// Opens the dataset at `objectPath`.
  package func dataset(_ objectPath: String) throws -> HDF5Dataset {
    try withLibrary {
      let full = Self.normalise(objectPath)
      let file = try handle(full)
      guard try kind(of: full) == .dataset else {
        throw HDF5Error(.typeMismatch, file: path, path: full, "expected a dataset, found a group")
      }
      let id = H5Dopen2(file, full, odimo_h5p_default())
      guard id >= 0 else {
        throw HDF5Error(.cannotOpen, file: path, path: full, "could not open the dataset", stack: drainErrorStack())
      }
      return HDF5Dataset(file: self, path: full, id: id)
    }
  }

  /// Reads a whole dataset at `objectPath`.
  package func read<T: HDF5Element>(_ objectPath: String, as type: T.Type = T.self) throws -> [T] {
    try dataset(objectPath).read(as: type)
  }
}
