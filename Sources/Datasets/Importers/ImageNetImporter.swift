import Dispatch
import Foundation
import Support

/// ImageNet (ILSVRC-2012) from its folder layout: `train/<wnid>/*.JPEG` and
/// `val/<wnid>/*.JPEG`. Images are decoded, resized (shorter side, then centre crop,
/// anti-aliased) to `resolution` and streamed to disk in blocks, so memory stays
/// bounded whatever the dataset's size. The official val set becomes the test split.
enum ImageNetImporter {
  static let extensions: Set<String> = ["jpeg", "jpg", "png"]
  static let block = 256

  struct Listing {
    var files: [String] = []
    var labels: [Int64] = []
  }

  /// Class folders of `split`, sorted; each must hold at least one image.
  static func list(_ folder: String, classes: [String]) throws -> Listing {
    var listing = Listing()
    for (label, wnid) in classes.enumerated() {
      let classFolder = folder + "/" + wnid
      guard FileManager.default.fileExists(atPath: classFolder) else { continue }
      let names = try FileManager.default.contentsOfDirectory(atPath: classFolder)
        .filter { extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
      guard !names.isEmpty else {
        throw DatasetError.wrongFormat(classFolder, "the class folder holds no JPEG or PNG image")
      }
      listing.files += names.map { classFolder + "/" + $0 }
      listing.labels += [Int64](repeating: Int64(label), count: names.count)
    }
    return listing
  }

  static func classNames(wnids: [String], synsets: String?) throws -> [String] {
    guard let synsets else { return wnids }
    guard let text = try? String(contentsOfFile: synsets, encoding: .utf8) else {
      throw DatasetError.unreadable(synsets, "cannot read the synset-words file")
    }
    var names: [String: String] = [:]
    for line in text.split(whereSeparator: \.isNewline) {
      let parts = line.split(separator: " ", maxSplits: 1)
      if parts.count == 2 { names[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
    }
    return try wnids.map { wnid in
      guard let name = names[wnid] else { throw DatasetError.wrongFormat(synsets, "has no line for class \(wnid)") }
      return name
    }
  }

  static func run(root: String, resolution: Int, synsets: String?, options: ImportOptions) throws {
    guard (8...1024).contains(resolution) else {
      throw InvalidOption("--resolution", value: resolution, expected: "8…1024 pixels")
    }
    let trainFolder = root + "/train"
    guard
      let wnids = try? FileManager.default.contentsOfDirectory(atPath: trainFolder).filter({ name in
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: trainFolder + "/" + name, isDirectory: &isDirectory)
          && isDirectory.boolValue
      }).sorted(), wnids.count >= 2
    else {
      throw DatasetError.wrongFormat(root, "expected train/<class>/*.JPEG with at least two class folders")
    }
    let train = try list(trainFolder, classes: wnids)
    let test = try list(root + "/val", classes: wnids)
    if let stray = try? FileManager.default.contentsOfDirectory(atPath: root + "/val").first(where: {
      !wnids.contains($0)
    }) {
      throw DatasetError.wrongFormat(root + "/val/" + stray, "is not a class of the training split")
    }
    let names = try classNames(wnids: wnids, synsets: synsets)
    var splits: [(String, Listing)] = []
    if options.validationFraction > 0 {
      let (trainIndices, validationIndices) = try ValidationSplit.stratified(
        labels: train.labels, fraction: options.validationFraction, seed: options.seed)
      let pick = { (indices: [Int]) in
        Listing(files: indices.map { train.files[$0] }, labels: indices.map { train.labels[$0] })
      }
      splits = [("train", pick(trainIndices)), ("val", pick(validationIndices))]
    } else {
      splits = [("train", train)]
    }
    if !test.files.isEmpty { splits.append(("test", test)) }

    let all = splits.flatMap(\.1.files)
    var digests = [String](repeating: "", count: all.count)
    let description = DatasetDescription(name: "imagenet", classNames: names, source: "")
    var manifest = ""
    try DatasetWriter.create(options.output, description: description, force: options.force) { writer in
      var done = 0
      for (name, listing) in splits {
        try writer.beginSplit(name, height: resolution, width: resolution, channels: 3)
        for start in stride(from: 0, to: listing.files.count, by: block) {
          let end = min(listing.files.count, start + block)
          let pixels = try decodeBlock(
            Array(listing.files[start..<end]), resolution: resolution, digests: &digests, offset: done)
          try writer.append(pixels: pixels, labels: Array(listing.labels[start..<end]))
          done += end - start
          options.progress?(Progress(phase: name, done: done, total: all.count))
        }
      }
      manifest = zip(digests, all).map { "\($0)  \(String($1.dropFirst(root.count + 1)))" }.joined(separator: "\n")
      try writer.setProvenance(
        summary: "imagenet from \(root): \(all.count) images resized to \(resolution)×\(resolution)", manifest: manifest
      )
    }
  }

  /// Decodes, hashes and resizes a block of files on every core.
  static func decodeBlock(_ files: [String], resolution: Int, digests: inout [String], offset: Int) throws -> [UInt8] {
    let imageBytes = resolution * resolution * 3
    nonisolated(unsafe) var output = [UInt8](repeating: 0, count: files.count * imageBytes)
    nonisolated(unsafe) var hashes = [String](repeating: "", count: files.count)
    nonisolated(unsafe) var failures = [(any Error)?](repeating: nil, count: files.count)
    DispatchQueue.concurrentPerform(iterations: files.count) { index in
      do {
        hashes[index] = try SHA256.hexDigest(ofFile: files[index])
        let image = try ImageDecoder.decode(path: files[index])
        let resized = Resampler.shorterSideThenCenterCrop(image, size: resolution)
        output.withUnsafeMutableBufferPointer { buffer in
          for (position, byte) in resized.enumerated() { buffer[index * imageBytes + position] = byte }
        }
      } catch {
        failures[index] = error
      }
    }
    if let failure = failures.compactMap({ $0 }).first { throw failure }
    for (index, hash) in hashes.enumerated() { digests[offset + index] = hash }
    return output
  }
}
