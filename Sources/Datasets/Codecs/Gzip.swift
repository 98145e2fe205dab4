import CZlib
import Foundation

/// gzip decompression through zlib, for IDX files and `.tar.gz` archives.
enum Gzip {
  /// Whether `data` starts with the gzip magic bytes.
  static func isGzip(_ data: Data) -> Bool {
    data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
  }

  /// Inflates a whole gzip stream; `path` names the file in errors.
  static func inflate(_ data: Data, path: String) throws -> Data {
    var stream = z_stream()
    guard odimo_inflate_init2(&stream, 15 + 32) == Z_OK else {
      throw DatasetError.corrupt(path, offset: 0, "zlib could not start inflating")
    }
    defer { inflateEnd(&stream) }
    var output = Data()
    output.reserveCapacity(data.count * 4)
    let chunk = 1 << 20
    var buffer = [UInt8](repeating: 0, count: chunk)
    var status: Int32 = Z_OK
    try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
      stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: UInt8.self).baseAddress)
      stream.avail_in = UInt32(input.count)
      repeat {
        try buffer.withUnsafeMutableBufferPointer { out in
          stream.next_out = out.baseAddress
          stream.avail_out = UInt32(chunk)
          status = CZlib.inflate(&stream, Z_NO_FLUSH)
          guard status == Z_OK || status == Z_STREAM_END else {
            throw DatasetError.corrupt(
              path, offset: Int(stream.total_in),
              status == Z_BUF_ERROR
                ? "the gzip stream is truncated" : "the gzip stream is corrupt (zlib status \(status))")
          }
          output.append(out.baseAddress!, count: chunk - Int(stream.avail_out))
        }
        if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 {
          throw DatasetError.corrupt(path, offset: Int(stream.total_in), "the gzip stream is truncated")
        }
      } while status != Z_STREAM_END
    }
    return output
  }

  /// The file's bytes, inflated if it is gzip-compressed.
  static func contents(of path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DatasetError.unreadable(path, "missing or unreadable")
    }
    return isGzip(data) ? try inflate(data, path: path) : data
  }
}
