import Foundation
import HDF5
import Support

/// Progress of a long operation, reported to a caller-supplied handler.
package struct Progress: Sendable {
  /// What is being done ("train", "test", "decoding", …).
  package let phase: String
  package let done: Int
  package let total: Int
}

/// A handler for progress reports; called from the working thread.
package typealias ProgressHandler = @Sendable (Progress) -> Void

/// What a dataset file says about itself.
package struct DatasetDescription: Sendable {
  package var name: String
  package var classNames: [String]
  package var coarseClassNames: [String]?
  /// What was imported and the SHA-256 of each input file (sha256sum's format).
  package var source: String

  package init(name: String, classNames: [String], coarseClassNames: [String]? = nil, source: String) {
    self.name = name
    self.classNames = classNames
    self.coarseClassNames = coarseClassNames
    self.source = source
  }
}

/// Writes an odimo dataset file split by split, appending images in blocks so memory
/// stays bounded, and computing the training split's per-channel mean and std exactly
/// (integer sums) as it goes. Create it through `DatasetWriter.create`, which writes
/// to a temporary file and renames it into place only when everything succeeded.
package final class DatasetWriter {
  private let file: HDF5File
  private let description: DatasetDescription
  private var channelSums: [UInt64] = []
  private var channelSquares: [UInt64] = []
  private var trainPixels = 0
  private var current: (name: String, images: HDF5Dataset, labels: HDF5Dataset, coarse: HDF5Dataset?)?

  private init(file: HDF5File, description: DatasetDescription) {
    self.file = file
    self.description = description
  }

  /// Writes a dataset file at `output`: `body` fills the writer; the file appears under
  /// its name only if `body` and the final metadata succeed. An existing file is
  /// replaced only when `force` is true.
  package static func create(
    _ output: String, description: DatasetDescription, force: Bool, _ body: (DatasetWriter) throws -> Void
  ) throws {
    if FileManager.default.fileExists(atPath: output) && !force { throw DatasetError.outputExists(output) }
    try SafeWrite.hdf5(output) { file in
      let writer = DatasetWriter(file: file, description: description)
      try body(writer)
      try writer.finish()
    }
  }

  /// Images per chunk: whole images, about 192 KiB per chunk.
  static func chunkImages(imageBytes: Int) -> Int { max(1, min(1024, 196_608 / max(1, imageBytes))) }

  /// Starts split `name` (train, val or test) of images of the given size.
  package func beginSplit(_ name: String, height: Int, width: Int, channels: Int, coarseLabels: Bool = false) throws {
    let chunk = Self.chunkImages(imageBytes: height * width * channels)
    let images = try file.createDataset(
      "\(name)/images", type: .uint8, shape: [0, height, width, channels],
      options: .archived(chunks: [chunk, height, width, channels], extendable: true))
    let labels = try file.createDataset(
      "\(name)/labels", type: .int64, shape: [0], options: .archived(chunks: [4096], extendable: true))
    let coarse =
      coarseLabels
      ? try file.createDataset(
        "\(name)/coarse_labels", type: .int64, shape: [0], options: .archived(chunks: [4096], extendable: true))
      : nil
    if name == "train" {
      channelSums = [UInt64](repeating: 0, count: channels)
      channelSquares = [UInt64](repeating: 0, count: channels)
    }
    current = (name, images, labels, coarse)
  }

  /// Appends images (N × H × W × C bytes) and their labels to the current split.
  package func append(pixels: [UInt8], labels: [Int64], coarseLabels: [Int64]? = nil) throws {
    guard let current else { throw DatasetError.invalidOption("append before beginSplit") }
    try current.images.append(pixels)
    try current.labels.append(labels)
    if let coarse = current.coarse, let coarseLabels { try coarse.append(coarseLabels) }
    if current.name == "train" {
      let channels = channelSums.count
      pixels.withUnsafeBufferPointer { bytes in
        var sums = [UInt64](repeating: 0, count: channels)
        var squares = [UInt64](repeating: 0, count: channels)
        for start in stride(from: 0, to: bytes.count, by: channels) {
          for channel in 0..<channels {
            let value = UInt64(bytes[start + channel])
            sums[channel] &+= value
            squares[channel] &+= value * value
          }
        }
        for channel in 0..<channels {
          channelSums[channel] &+= sums[channel]
          channelSquares[channel] &+= squares[channel]
        }
      }
      trainPixels += pixels.count / max(channels, 1)
    }
  }

  /// Appends a whole in-memory split in blocks, reporting progress.
  package func write(_ name: String, _ set: ImageSet, progress: ProgressHandler? = nil) throws {
    try beginSplit(
      name, height: set.height, width: set.width, channels: set.channels, coarseLabels: set.coarseLabels != nil)
    let block = 4096
    for start in stride(from: 0, to: set.count, by: block) {
      let end = min(set.count, start + block)
      try append(
        pixels: Array(set.pixels[(start * set.imageBytes)..<(end * set.imageBytes)]),
        labels: Array(set.labels[start..<end]),
        coarseLabels: set.coarseLabels.map { Array($0[start..<end]) })
      progress?(Progress(phase: name, done: end, total: set.count))
    }
  }

  /// Replaces the `source` attribute for sources with many files: a summary plus the
  /// manifest's digest in the attribute, the full sha256sum-style manifest in the uint8
  /// dataset `/provenance/sha256sum` (UTF-8 text; HDF5 attributes are limited to 64 KiB).
  package func setProvenance(summary: String, manifest: String) throws {
    let bytes = Array(manifest.utf8)
    if bytes.count < 32_768 {
      sourceOverride = summary + "\n" + manifest
      return
    }
    try file.write(bytes, to: "provenance/sha256sum", options: .archived())
    let digest = try SHA256.hexDigest(ofBytes: bytes)
    sourceOverride = "\(summary)\nper-file SHA-256 in /provenance/sha256sum (sha256 of that manifest: \(digest))"
  }

  private var sourceOverride: String?

  private func finish() throws {
    guard trainPixels > 0 else { throw DatasetError.invalidOption("the dataset has no training images") }
    let count = Double(trainPixels)
    let mean = channelSums.map { Double($0) / count / 255 }
    let std = zip(channelSquares, mean).map { squares, mean in
      (max(0, Double(squares) / count / (255 * 255) - mean * mean)).squareRoot()
    }
    try file.setAttribute("format", .string(DatasetFile.formatName))
    try file.setAttribute("format_version", .int(Int64(DatasetFile.formatVersion)))
    try file.setAttribute("name", .string(description.name))
    try file.setAttribute("num_classes", .int(Int64(description.classNames.count)))
    try file.setAttribute("class_names", .strings(description.classNames))
    if let coarse = description.coarseClassNames { try file.setAttribute("coarse_class_names", .strings(coarse)) }
    try file.setAttribute("layout", .string("NHWC"))
    try file.setAttribute("source", .string(sourceOverride ?? description.source))
    try file.setAttribute("mean", .doubles(mean))
    try file.setAttribute("std", .doubles(std))
    try file.flush()
  }
}
