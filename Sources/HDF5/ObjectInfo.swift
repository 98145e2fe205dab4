/// A description of one object in a file: what `odimo inspect` lists.
package struct ObjectInfo: Sendable {
  package let path: String
  package let kind: ObjectKind
  /// Dataset shape (nil for groups; [] for a scalar dataset).
  package let shape: [Int]?
  /// Dataset element type name (nil for groups).
  package let dtype: String?
  /// Chunk shape of a chunked dataset.
  package let chunks: [Int]?
  /// Filter pipeline of a dataset, in order.
  package let filters: [String]
  /// Maximum shape of a dataset; nil entries are unlimited.
  package let maxShape: [Int?]?
  package let attributes: [(name: String, value: AttributeValue)]
}

extension HDF5File {
  /// Every object in the file, depth-first in name order, starting with the root group.
  package func walk(from objectPath: String = "/") throws -> [ObjectInfo] {
    try withLibrary {
      let full = Self.normalise(objectPath)
      var result: [ObjectInfo] = []
      try visit(full, into: &result)
      return result
    }
  }

  private func visit(_ full: String, into result: inout [ObjectInfo]) throws {
    let attributes = try attributes(at: full)
    switch try kind(of: full) {
    case .group:
      result.append(
        ObjectInfo(
          path: full, kind: .group, shape: nil, dtype: nil, chunks: nil, filters: [], maxShape: nil,
          attributes: attributes))
      for child in try children(of: full) {
        try visit(full == "/" ? "/\(child)" : "\(full)/\(child)", into: &result)
      }
    case .dataset:
      let dataset = try dataset(full)
      result.append(
        ObjectInfo(
          path: full, kind: .dataset, shape: dataset.shape, dtype: dataset.typeName,
          chunks: dataset.chunkShape, filters: dataset.filters, maxShape: dataset.maxShape,
          attributes: attributes))
    }
  }
}

extension AttributeValue: Encodable {
  package func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    switch self {
    case .int(let value): try container.encode(value)
    case .ints(let values): try container.encode(values)
    case .double(let value): try container.encode(value)
    case .doubles(let values): try container.encode(values)
    case .string(let value): try container.encode(value)
    case .strings(let values): try container.encode(values)
    }
  }
}
