import Foundation

/// The regular files of a (possibly gzip-compressed) tar archive, read into memory.
/// Enough for the CIFAR archives (~180 MB); not meant for ImageNet-sized archives.
struct TarArchive {
  /// File contents by path inside the archive.
  let files: [String: Data]

  init(path: String) throws {
    let raw = try Gzip.contents(of: path)
    var files: [String: Data] = [:]
    var offset = 0
    let bytes = [UInt8](raw)
    while offset + 512 <= bytes.count {
      let header = bytes[offset..<(offset + 512)]
      if header.allSatisfy({ $0 == 0 }) { break }
      func text(_ start: Int, _ length: Int) -> String {
        let field = header[(offset + start)..<(offset + start + length)]
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
      }
      let sizeText = text(124, 12).trimmingCharacters(in: .whitespaces)
      guard let size = Int(sizeText, radix: 8) else {
        throw DatasetError.corrupt(path, offset: offset, "bad tar header (size field '\(sizeText)')")
      }
      let type = header[offset + 156]
      let prefix = text(345, 155)
      let name = prefix.isEmpty ? text(0, 100) : prefix + "/" + text(0, 100)
      let start = offset + 512
      guard start + size <= bytes.count else {
        throw DatasetError.corrupt(path, offset: offset, "the archive is truncated inside \(name)")
      }
      if type == UInt8(ascii: "0") || type == 0 {
        files[name] = Data(bytes[start..<(start + size)])
      }
      offset = start + (size + 511) / 512 * 512
    }
    self.files = files
  }

  /// The file whose path ends with `/name` (or is `name`).
  func file(named name: String) -> (path: String, data: Data)? {
    files.first { $0.key == name || $0.key.hasSuffix("/" + name) }.map { ($0.key, $0.value) }
  }
}
