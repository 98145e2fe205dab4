/// How a new dataset is stored.
package struct DatasetOptions: Sendable, Equatable {
  /// Chunk shape (same rank as the dataset); nil picks whole rows totalling about
  /// `defaultChunkBytes` when chunking is needed, or contiguous storage otherwise.
  package var chunks: [Int]?
  /// gzip (deflate) level 1–9, or nil for no compression.
  package var gzipLevel: Int?
  /// Byte-shuffle before compression (helps gzip on multi-byte numbers).
  package var shuffle: Bool
  /// Store a fletcher32 checksum per chunk so corruption is detected on read.
  package var fletcher32: Bool
  /// Make the first axis unlimited so rows can be appended later (traces, imports).
  package var extendable: Bool

  package init(
    chunks: [Int]? = nil, gzipLevel: Int? = nil, shuffle: Bool = false, fletcher32: Bool = false,
    extendable: Bool = false
  ) {
    self.chunks = chunks
    self.gzipLevel = gzipLevel
    self.shuffle = shuffle
    self.fletcher32 = fletcher32
    self.extendable = extendable
  }

  /// Contiguous, unfiltered storage: fastest to read, fixed size.
  package static let contiguous = DatasetOptions()

  /// Chunked, gzip level 4 with shuffle and fletcher32: the project's default for data
  /// that is archived (datasets, checkpoints, traces).
  package static func archived(chunks: [Int]? = nil, extendable: Bool = false) -> DatasetOptions {
    DatasetOptions(chunks: chunks, gzipLevel: 4, shuffle: true, fletcher32: true, extendable: extendable)
  }

  /// Whether the options need chunked storage.
  var needsChunks: Bool { chunks != nil || gzipLevel != nil || shuffle || fletcher32 || extendable }

  static let defaultChunkBytes = 256 * 1024

  /// The chunk shape to use for a dataset of `shape`, or nil for contiguous storage.
  func chunkShape(for shape: [Int], elementSize: Int) -> [Int]? {
    if let chunks { return chunks }
    guard needsChunks, !shape.isEmpty else { return nil }
    let rowElements = max(1, shape.dropFirst().reduce(1, *))
    let rows = max(1, min(max(shape[0], 1), Self.defaultChunkBytes / max(1, rowElements * elementSize)))
    return [rows] + shape.dropFirst().map { max($0, 1) }
  }
}
