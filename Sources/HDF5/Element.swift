import CHDF5

/// Element types a dataset or numeric attribute can hold. The mapping to HDF5's native
/// types is fixed so files read the same on every machine h5py runs on.
package enum ElementType: String, Sendable, CaseIterable, Codable {
  case uint8, int32, int64, float32, float64

  var nativeType: hid_t {
    switch self {
    case .uint8: odimo_h5t_native_uint8()
    case .int32: odimo_h5t_native_int32()
    case .int64: odimo_h5t_native_int64()
    case .float32: odimo_h5t_native_float()
    case .float64: odimo_h5t_native_double()
    }
  }

  /// Bytes per element.
  package var size: Int {
    switch self {
    case .uint8: 1
    case .int32: 4
    case .int64, .float64: 8
    case .float32: 4
    }
  }

  /// Classifies a stored HDF5 type; nil for types this module does not read as numbers
  /// (strings, compounds, other widths).
  static func classify(_ type: hid_t) -> ElementType? {
    let size = H5Tget_size(type)
    switch H5Tget_class(type) {
    case H5T_INTEGER:
      let signed = H5Tget_sign(type) == H5T_SGN_2
      switch (size, signed) {
      case (1, false): return .uint8
      case (4, true): return .int32
      case (8, true): return .int64
      default: return nil
      }
    case H5T_FLOAT:
      switch size {
      case 4: return .float32
      case 8: return .float64
      default: return nil
      }
    default: return nil
    }
  }

  /// A readable name for any stored type, used in listings and error messages.
  static func describe(_ type: hid_t) -> String {
    if let known = classify(type) { return known.rawValue }
    let size = H5Tget_size(type)
    switch H5Tget_class(type) {
    case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_2 ? "int" : "uint") + "\(size * 8)"
    case H5T_FLOAT: return "float\(size * 8)"
    case H5T_STRING: return H5Tis_variable_str(type) > 0 ? "string" : "string[\(size)]"
    case H5T_COMPOUND: return "compound"
    case H5T_ENUM: return "enum"
    default: return "other"
    }
  }
}

/// A Swift scalar type that can be stored in a dataset.
package protocol HDF5Element: Numeric, Sendable {
  static var elementType: ElementType { get }
}

extension UInt8: HDF5Element { package static var elementType: ElementType { .uint8 } }
extension Int32: HDF5Element { package static var elementType: ElementType { .int32 } }
extension Int64: HDF5Element { package static var elementType: ElementType { .int64 } }
extension Float: HDF5Element { package static var elementType: ElementType { .float32 } }
extension Double: HDF5Element { package static var elementType: ElementType { .float64 } }
