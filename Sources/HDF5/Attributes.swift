import CHDF5
import Foundation

/// The value of an attribute. Integers are stored as int64, floats as float64 and
/// strings as variable-length UTF-8 — the types h5py writes for Python `int`, `float`
/// and `str`. Reading accepts any integer or float width and fixed-length strings too.
package enum AttributeValue: Sendable, Equatable, CustomStringConvertible {
  case int(Int64)
  case ints([Int64])
  case double(Double)
  case doubles([Double])
  case string(String)
  case strings([String])

  package var description: String {
    switch self {
    case .int(let value): String(value)
    case .ints(let values): "[" + values.map(String.init).joined(separator: ", ") + "]"
    case .double(let value): String(value)
    case .doubles(let values): "[" + values.map { String($0) }.joined(separator: ", ") + "]"
    case .string(let value): "\"\(value)\""
    case .strings(let values): "[" + values.map { "\"\($0)\"" }.joined(separator: ", ") + "]"
    }
  }

  /// The value as a string, if it is one.
  package var stringValue: String? { if case .string(let value) = self { value } else { nil } }
  /// The value as strings, if it is a string or string array.
  package var stringsValue: [String]? {
    switch self {
    case .string(let value): [value]
    case .strings(let values): values
    default: nil
    }
  }
  /// The value as an integer, if it is one.
  package var intValue: Int64? { if case .int(let value) = self { value } else { nil } }
  /// The value as integers, if it is an integer or integer array.
  package var intsValue: [Int64]? {
    switch self {
    case .int(let value): [value]
    case .ints(let values): values
    default: nil
    }
  }
  /// The value as a number (integers widen to Double).
  package var doubleValue: Double? {
    switch self {
    case .double(let value): value
    case .int(let value): Double(value)
    default: nil
    }
  }
  /// The value as numbers (integers widen to Double).
  package var doublesValue: [Double]? {
    switch self {
    case .double(let value): [value]
    case .doubles(let values): values
    case .int(let value): [Double(value)]
    case .ints(let values): values.map(Double.init)
    default: nil
    }
  }
}

extension HDF5File {
  /// Sets (creating or replacing) attribute `name` on the object at `objectPath`.
  package func setAttribute(_ name: String, _ value: AttributeValue, at objectPath: String = "/") throws {
    try withLibrary {
      let full = Self.normalise(objectPath)
      try requireWritable(full)
      let object = try openObject(full)
      defer { H5Oclose(object) }
      let fail = { (detail: String) in
        HDF5Error(.writeFailed, file: self.path, path: full, "attribute '\(name)': \(detail)", stack: drainErrorStack())
      }
      if H5Aexists(object, name) > 0, H5Adelete(object, name) < 0 { throw fail("could not replace") }
      let (count, isScalar): (Int, Bool) =
        switch value {
        case .int, .double, .string: (1, true)
        case .ints(let v): (v.count, false)
        case .doubles(let v): (v.count, false)
        case .strings(let v): (v.count, false)
        }
      var dims = [hsize_t(count)]
      let space = isScalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil)
      defer { H5Sclose(space) }
      let stringType = Self.utf8StringType()
      defer { H5Tclose(stringType) }
      let type: hid_t =
        switch value {
        case .int, .ints: odimo_h5t_native_int64()
        case .double, .doubles: odimo_h5t_native_double()
        case .string, .strings: stringType
        }
      let attribute = H5Acreate2(object, name, type, space, odimo_h5p_default(), odimo_h5p_default())
      guard attribute >= 0 else { throw fail("could not create") }
      defer { H5Aclose(attribute) }
      let status: herr_t
      switch value {
      case .int(let v): status = withUnsafePointer(to: v) { H5Awrite(attribute, type, $0) }
      case .ints(let v): status = v.withUnsafeBufferPointer { H5Awrite(attribute, type, $0.baseAddress) }
      case .double(let v): status = withUnsafePointer(to: v) { H5Awrite(attribute, type, $0) }
      case .doubles(let v): status = v.withUnsafeBufferPointer { H5Awrite(attribute, type, $0.baseAddress) }
      case .string(let v): status = Self.writeStrings([v], attribute: attribute, type: type)
      case .strings(let v): status = Self.writeStrings(v, attribute: attribute, type: type)
      }
      guard status >= 0 else { throw fail("could not write") }
    }
  }

  private static func utf8StringType() -> hid_t {
    let type = H5Tcopy(odimo_h5t_c_s1())
    H5Tset_size(type, odimo_h5t_variable())
    H5Tset_cset(type, H5T_CSET_UTF8)
    return type
  }

  private static func writeStrings(_ strings: [String], attribute: hid_t, type: hid_t) -> herr_t {
    let pointers = strings.map { strdup($0) }
    defer { for pointer in pointers { free(pointer) } }
    let constPointers = pointers.map { UnsafePointer<CChar>($0) }
    return constPointers.withUnsafeBufferPointer { H5Awrite(attribute, type, $0.baseAddress) }
  }

  /// Names of the attributes on the object at `objectPath`, in creation-independent name order.
  package func attributeNames(at objectPath: String = "/") throws -> [String] {
    try withLibrary {
      let full = Self.normalise(objectPath)
      let object = try openObject(full)
      defer { H5Oclose(object) }
      var names: [String] = []
      var index: hsize_t = 0
      while true {
        let length = H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, odimo_h5p_default())
        if length < 0 {
          _ = drainErrorStack()
          break
        }
        var buffer = [CChar](repeating: 0, count: Int(length) + 1)
        H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, odimo_h5p_default())
        names.append(String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        index += 1
      }
      return names
    }
  }

  /// Whether the object at `objectPath` has attribute `name`.
  package func hasAttribute(_ name: String, at objectPath: String = "/") -> Bool {
    (try? attributeNames(at: objectPath).contains(name)) ?? false
  }

  /// Reads attribute `name` of the object at `objectPath`.
  package func attribute(_ name: String, at objectPath: String = "/") throws -> AttributeValue {
    try withLibrary {
      let full = Self.normalise(objectPath)
      let object = try openObject(full)
      defer { H5Oclose(object) }
      guard H5Aexists(object, name) > 0 else {
        _ = drainErrorStack()
        throw HDF5Error(.notFound, file: path, path: full, "no attribute '\(name)'")
      }
      let attribute = H5Aopen(object, name, odimo_h5p_default())
      guard attribute >= 0 else {
        throw HDF5Error(
          .readFailed, file: path, path: full, "could not open attribute '\(name)'", stack: drainErrorStack())
      }
      defer { H5Aclose(attribute) }
      return try readAttribute(attribute, name: name, objectPath: full)
    }
  }

  /// All attributes of the object at `objectPath`, in name order.
  package func attributes(at objectPath: String = "/") throws -> [(name: String, value: AttributeValue)] {
    try attributeNames(at: objectPath).map { ($0, try attribute($0, at: objectPath)) }
  }

  private func readAttribute(_ attribute: hid_t, name: String, objectPath: String) throws -> AttributeValue {
    let space = H5Aget_space(attribute)
    defer { H5Sclose(space) }
    let isScalar = H5Sget_simple_extent_type(space) == H5S_SCALAR
    let count = Int(H5Sget_simple_extent_npoints(space))
    let type = H5Aget_type(attribute)
    defer { H5Tclose(type) }
    let fail = { (detail: String) in
      HDF5Error(
        .readFailed, file: self.path, path: objectPath, "attribute '\(name)': \(detail)", stack: drainErrorStack())
    }
    switch H5Tget_class(type) {
    case H5T_INTEGER:
      var values = [Int64](repeating: 0, count: count)
      guard H5Aread(attribute, odimo_h5t_native_int64(), &values) >= 0 else { throw fail("could not read") }
      return isScalar ? .int(values.first ?? 0) : .ints(values)
    case H5T_FLOAT:
      var values = [Double](repeating: 0, count: count)
      guard H5Aread(attribute, odimo_h5t_native_double(), &values) >= 0 else { throw fail("could not read") }
      return isScalar ? .double(values.first ?? 0) : .doubles(values)
    case H5T_STRING:
      let strings = try readStrings(attribute, type: type, count: count, fail: fail)
      return isScalar ? .string(strings.first ?? "") : .strings(strings)
    default:
      throw HDF5Error(
        .typeMismatch, file: path, path: objectPath,
        "attribute '\(name)' has type \(ElementType.describe(type)); expected integers, floats or strings")
    }
  }

  private func readStrings(_ attribute: hid_t, type: hid_t, count: Int, fail: (String) -> HDF5Error) throws -> [String]
  {
    if H5Tis_variable_str(type) > 0 {
      let memoryType = Self.utf8StringType()
      defer { H5Tclose(memoryType) }
      var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
      guard H5Aread(attribute, memoryType, &pointers) >= 0 else { throw fail("could not read strings") }
      defer { for case let pointer? in pointers { H5free_memory(pointer) } }
      return pointers.map { $0.map { String(cString: $0) } ?? "" }
    }
    let width = H5Tget_size(type)
    var bytes = [UInt8](repeating: 0, count: width * count)
    guard H5Aread(attribute, type, &bytes) >= 0 else { throw fail("could not read strings") }
    return (0..<count).map { index in
      let slice = bytes[(index * width)..<((index + 1) * width)]
      let end = slice.firstIndex(of: 0) ?? slice.endIndex
      return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
    }
  }
}
