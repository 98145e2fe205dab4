import CDeflate
import CHDF5
import Dispatch
import Foundation

/// A faster path for reading whole chunks of gzip-compressed datasets: raw chunks are
/// read from the file and then checked (fletcher32), inflated (libdeflate, several times
/// faster than zlib) and un-shuffled by us, in parallel across cores, straight into the
/// caller's buffer. It applies only to chunks that span whole rows and to pipelines made
/// of shuffle, gzip and fletcher32; anything else goes through HDF5's own pipeline.
struct ChunkReader {
  enum Stage { case shuffle, deflate, fletcher32 }

  /// Rows per chunk along the first axis.
  let chunkRows: Int
  /// Bytes in one row.
  let rowBytes: Int
  let elementSize: Int
  /// Filters in the order they were applied when writing.
  let stages: [Stage]

  /// A reader for `dataset`, or nil when the fast path does not apply.
  static func make(for dataset: hid_t, shape: [Int], elementSize: Int) -> ChunkReader? {
    guard !shape.isEmpty else { return nil }
    let dcpl = H5Dget_create_plist(dataset)
    defer { H5Pclose(dcpl) }
    guard H5Pget_layout(dcpl) == H5D_CHUNKED else { return nil }
    var chunk = [hsize_t](repeating: 0, count: shape.count)
    guard H5Pget_chunk(dcpl, Int32(shape.count), &chunk) == Int32(shape.count) else { return nil }
    guard chunk.dropFirst().map({ Int($0) }) == Array(shape.dropFirst()) else { return nil }
    var stages: [Stage] = []
    for index in 0..<max(0, H5Pget_nfilters(dcpl)) {
      var flags: UInt32 = 0
      var count = 0
      var config: UInt32 = 0
      switch H5Pget_filter2(dcpl, UInt32(index), &flags, &count, nil, 0, nil, &config) {
      case H5Z_FILTER_SHUFFLE: stages.append(.shuffle)
      case H5Z_FILTER_DEFLATE: stages.append(.deflate)
      case H5Z_FILTER_FLETCHER32: stages.append(.fletcher32)
      default: return nil
      }
    }
    // Supported pipelines: [shuffle] gzip [fletcher32], in that order. Without
    // compression HDF5's own path is already a plain copy.
    let supported: [[Stage]] = [
      [.deflate], [.shuffle, .deflate], [.deflate, .fletcher32], [.shuffle, .deflate, .fletcher32],
    ]
    guard supported.contains(stages) else { return nil }
    let rowBytes = shape.dropFirst().reduce(1, *) * elementSize
    return ChunkReader(chunkRows: Int(chunk[0]), rowBytes: rowBytes, elementSize: elementSize, stages: stages)
  }

  /// Whether `rows` starts on a chunk boundary (the end may be the dataset's end).
  func covers(_ rows: Range<Int>, totalRows: Int) -> Bool {
    rows.lowerBound % chunkRows == 0 && (rows.upperBound % chunkRows == 0 || rows.upperBound == totalRows)
  }

  enum Failure: Error {
    case readFailed(chunkRow: Int)
    case filterSkipped(chunkRow: Int)
    case checksum(chunkRow: Int)
    case inflate(chunkRow: Int)

    var explanation: String {
      switch self {
      case .readFailed(let row): "could not read the chunk starting at row \(row)"
      case .filterSkipped(let row): "the chunk starting at row \(row) was stored with filters skipped"
      case .checksum(let row): "fletcher32 checksum mismatch in the chunk starting at row \(row)"
      case .inflate(let row): "the chunk starting at row \(row) does not inflate to its size"
      }
    }
  }

  /// Reads `rows` into `destination` (exactly rows.count × rowBytes bytes). Must be called
  /// holding the library lock; it releases nothing, decoding needs no HDF5 call.
  func read(
    _ dataset: hid_t, rows: Range<Int>, rank: Int, into destination: UnsafeMutableRawBufferPointer
  ) throws {
    let chunkStarts = Array(stride(from: rows.lowerBound, to: rows.upperBound, by: chunkRows))
    var raw: [[UInt8]] = []
    raw.reserveCapacity(chunkStarts.count)
    for start in chunkStarts {
      var offset = [hsize_t](repeating: 0, count: rank)
      offset[0] = hsize_t(start)
      var size: hsize_t = 0
      guard H5Dget_chunk_storage_size(dataset, offset, &size) >= 0, size > 0 else {
        throw Failure.readFailed(chunkRow: start)
      }
      var bytes = [UInt8](repeating: 0, count: Int(size))
      var mask: UInt32 = 0
      guard H5Dread_chunk(dataset, odimo_h5p_default(), offset, &mask, &bytes) >= 0 else {
        throw Failure.readFailed(chunkRow: start)
      }
      guard mask == 0 else { throw Failure.filterSkipped(chunkRow: start) }
      raw.append(bytes)
    }
    let chunkBytes = chunkRows * rowBytes
    nonisolated(unsafe) var failures = [Failure?](repeating: nil, count: chunkStarts.count)
    nonisolated(unsafe) let output = destination
    let rawChunks = raw
    do {
      DispatchQueue.concurrentPerform(iterations: chunkStarts.count) { index in
        let start = chunkStarts[index]
        let rowsHere = min(chunkRows, rows.upperBound - start)
        let target = UnsafeMutableRawBufferPointer(
          rebasing: output[((start - rows.lowerBound) * rowBytes)..<((start - rows.lowerBound + rowsHere) * rowBytes)])
        do {
          try decode(rawChunks[index], chunkBytes: chunkBytes, chunkRow: start, into: target)
        } catch let failure as Failure {
          failures[index] = failure
        } catch {}
      }
    }
    if let failure = failures.compactMap({ $0 }).first { throw failure }
  }

  /// Undoes the filter stages on one stored chunk, writing its first `target.count` bytes.
  private func decode(_ stored: [UInt8], chunkBytes: Int, chunkRow: Int, into target: UnsafeMutableRawBufferPointer)
    throws
  {
    var payload = stored[...]
    if stages.last == .fletcher32 {
      guard payload.count >= 4 else { throw Failure.checksum(chunkRow: chunkRow) }
      let body = payload.dropLast(4)
      let tail = Array(payload.suffix(4))
      let stored = UInt32(tail[0]) | UInt32(tail[1]) << 8 | UInt32(tail[2]) << 16 | UInt32(tail[3]) << 24
      let computed = body.withUnsafeBufferPointer { fletcher32($0) }
      // HDF5 also accepts the byte-swapped sum written by 1.6.0–1.6.2.
      let swapped = (computed & 0x00FF_00FF) << 8 | (computed & 0xFF00_FF00) >> 8
      guard stored == computed || stored == swapped else { throw Failure.checksum(chunkRow: chunkRow) }
      payload = body
    }
    let needsUnshuffle = stages.contains(.shuffle) && elementSize > 1
    let whole = target.count == chunkBytes && !needsUnshuffle
    var scratch = whole ? [] : [UInt8](repeating: 0, count: chunkBytes)
    let inflated: Bool = payload.withUnsafeBytes { input in
      let decompressor = Inflater.shared
      if whole {
        return decompressor.inflate(input, into: target)
      }
      return scratch.withUnsafeMutableBytes { decompressor.inflate(input, into: $0) }
    }
    guard inflated else { throw Failure.inflate(chunkRow: chunkRow) }
    guard !whole else { return }
    if needsUnshuffle {
      let count = chunkBytes / elementSize
      scratch.withUnsafeBytes { source in
        for element in 0..<(target.count / elementSize) {
          for byte in 0..<elementSize {
            target[element * elementSize + byte] = source[byte * count + element]
          }
        }
      }
    } else {
      scratch.withUnsafeBytes { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<target.count])) }
    }
  }
}

/// HDF5's Fletcher-32 over big-endian 16-bit words (H5_checksum_fletcher32).
func fletcher32(_ data: UnsafeBufferPointer<UInt8>) -> UInt32 {
  var sum1: UInt32 = 0
  var sum2: UInt32 = 0
  var index = 0
  var words = data.count / 2
  while words > 0 {
    let block = min(words, 360)
    words -= block
    for _ in 0..<block {
      sum1 &+= UInt32(data[index]) << 8 | UInt32(data[index + 1])
      sum2 &+= sum1
      index += 2
    }
    sum1 = (sum1 & 0xFFFF) &+ (sum1 >> 16)
    sum2 = (sum2 & 0xFFFF) &+ (sum2 >> 16)
  }
  if data.count % 2 == 1 {
    sum1 &+= UInt32(data[index]) << 8
    sum2 &+= sum1
    sum1 = (sum1 & 0xFFFF) &+ (sum1 >> 16)
    sum2 = (sum2 & 0xFFFF) &+ (sum2 >> 16)
  }
  sum1 = (sum1 & 0xFFFF) &+ (sum1 >> 16)
  sum2 = (sum2 & 0xFFFF) &+ (sum2 >> 16)
  return sum2 << 16 | sum1
}

/// libdeflate decompressors are not thread-safe; each thread gets its own.
final class Inflater: @unchecked Sendable {
  static var shared: Inflater {
    let key = "odimo.inflater"
    if let existing = Thread.current.threadDictionary[key] as? Inflater { return existing }
    let made = Inflater()
    Thread.current.threadDictionary[key] = made
    return made
  }

  private let handle: OpaquePointer?
  private init() { handle = libdeflate_alloc_decompressor() }
  deinit { libdeflate_free_decompressor(handle) }

  /// Inflates a zlib stream into `output`, which must receive exactly its size.
  func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
    var produced = 0
    let result = libdeflate_zlib_decompress(
      handle, input.baseAddress, input.count, output.baseAddress, output.count, &produced)
    return result == LIBDEFLATE_SUCCESS && produced == output.count
  }
}
