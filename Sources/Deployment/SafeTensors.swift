import Foundation

/// The safetensors format (Hugging Face's): an 8-byte little-endian header length, a JSON
/// header naming every tensor's dtype, shape and byte range (plus string `__metadata__`),
/// padded with spaces to 8 bytes, then the tensors' little-endian bytes back to back.
/// Writing it needs no library; `safetensors.torch.load_file` reads it.
package struct SafeTensors {
  /// One tensor's element type and bytes.
  struct Entry {
    let dtype: String
    let shape: [Int]
    let bytes: Data
  }

  private var entries: [String: Entry] = [:]
  package var metadata: [String: String] = [:]

  package init() {}

  package mutating func add(_ name: String, _ values: [Float], shape: [Int]) {
    entries[name] = Entry(dtype: "F32", shape: shape, bytes: values.withUnsafeBytes { Data($0) })
  }

  package mutating func add(_ name: String, _ values: [Int64], shape: [Int]) {
    entries[name] = Entry(dtype: "I64", shape: shape, bytes: values.withUnsafeBytes { Data($0) })
  }

  /// The tensor names, sorted (the order their bytes follow in the file).
  package var names: [String] { entries.keys.sorted() }

  /// The file's bytes.
  package func data() throws -> Data {
    var header: [String: HeaderValue] = [:]
    var offset = 0
    var body = Data()
    for name in names {
      guard let entry = entries[name] else { continue }
      header[name] = .tensor(dtype: entry.dtype, shape: entry.shape, offsets: [offset, offset + entry.bytes.count])
      offset += entry.bytes.count
      body.append(entry.bytes)
    }
    if !metadata.isEmpty { header["__metadata__"] = .metadata(metadata) }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var json = try encoder.encode(header)
    while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
    var file = Data()
    withUnsafeBytes(of: UInt64(json.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(json)
    file.append(body)
    return file
  }

  /// A header entry: a tensor's description, or the metadata strings.
  private enum HeaderValue: Encodable {
    case tensor(dtype: String, shape: [Int], offsets: [Int])
    case metadata([String: String])

    private enum Keys: String, CodingKey {
      case dtype
      case shape
      case dataOffsets = "data_offsets"
    }

    func encode(to encoder: any Encoder) throws {
      switch self {
      case .tensor(let dtype, let shape, let offsets):
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(dtype, forKey: .dtype)
        try container.encode(shape, forKey: .shape)
        try container.encode(offsets, forKey: .dataOffsets)
      case .metadata(let values):
        var container = encoder.singleValueContainer()
        try container.encode(values)
      }
    }
  }
}
