import Foundation

/// CIFAR-10 and CIFAR-100, binary version, from the extracted folder or the `.tar.gz`.
/// A record is the label byte (CIFAR-100: coarse, then fine) and 3,072 pixel bytes: the
/// red, green and blue 32 × 32 planes, row-major.
enum CIFARImporter {
  static let pixelBytes = 3072

  /// Where the input files come from: a folder or an archive.
  enum Source {
    case folder(String)
    case archive(path: String, TarArchive)

    func file(_ name: String) throws -> (name: String, data: Data) {
      switch self {
      case .folder(let root):
        for folder in [root, root + "/cifar-10-batches-bin", root + "/cifar-100-binary"] {
          let path = folder + "/" + name
          if let data = FileManager.default.contents(atPath: path) { return (path, data) }
        }
        throw DatasetError.unreadable(
          root + "/" + name, "missing CIFAR file (looked in the folder and its cifar-*-b* subfolder)")
      case .archive(let path, let archive):
        guard let found = archive.file(named: name) else {
          throw DatasetError.unreadable(path, "the archive has no \(name); is it the binary version of CIFAR?")
        }
        return ("\(path):\(found.path)", found.data)
      }
    }
  }

  static func decode(_ data: Data, name: String, hundred: Bool) throws -> ImageSet {
    let labelBytes = hundred ? 2 : 1
    let recordBytes = labelBytes + pixelBytes
    guard data.count % recordBytes == 0, !data.isEmpty else {
      throw DatasetError.badRecord(
        name, record: data.count / recordBytes,
        "file size \(data.count) is not a whole number of \(recordBytes)-byte records (this record is truncated)")
    }
    let count = data.count / recordBytes
    var pixels = [UInt8](repeating: 0, count: count * pixelBytes)
    var labels = [Int64](repeating: 0, count: count)
    var coarse = [Int64](repeating: 0, count: hundred ? count : 0)
    try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      let bytes = raw.bindMemory(to: UInt8.self)
      for record in 0..<count {
        let base = record * recordBytes
        let fine = Int64(bytes[base + labelBytes - 1])
        guard fine < (hundred ? 100 : 10) else {
          throw DatasetError.badRecord(name, record: record, "label \(fine) is out of range 0…\(hundred ? 99 : 9)")
        }
        labels[record] = fine
        if hundred {
          coarse[record] = Int64(bytes[base])
          guard coarse[record] < 20 else {
            throw DatasetError.badRecord(name, record: record, "coarse label \(coarse[record]) is out of range 0…19")
          }
        }
        // Planes (R, G, B) of 1,024 bytes become interleaved HWC pixels.
        let planes = base + labelBytes
        let out = record * pixelBytes
        for position in 0..<1024 {
          pixels[out + 3 * position] = bytes[planes + position]
          pixels[out + 3 * position + 1] = bytes[planes + 1024 + position]
          pixels[out + 3 * position + 2] = bytes[planes + 2048 + position]
        }
      }
    }
    return ImageSet(
      height: 32, width: 32, channels: 3, pixels: pixels, labels: labels, coarseLabels: hundred ? coarse : nil)
  }

  static func names(_ file: (name: String, data: Data), expected: Int) throws -> [String] {
    let names = String(decoding: file.data, as: UTF8.self).split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    guard names.count == expected else {
      throw DatasetError.wrongFormat(file.name, "lists \(names.count) class names, expected \(expected)")
    }
    return names
  }

  static func concatenate(_ sets: [ImageSet]) -> ImageSet {
    var result = sets[0]
    for set in sets.dropFirst() {
      result.pixels += set.pixels
      result.labels += set.labels
      if let coarse = set.coarseLabels { result.coarseLabels? += coarse }
    }
    return result
  }

  static func run(hundred: Bool, source path: String, options: ImportOptions) throws {
    var isDirectory: ObjCBool = false
    let isFolder = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    let source: Source = isFolder ? .folder(path) : .archive(path: path, try TarArchive(path: path))
    let trainNames = hundred ? ["train.bin"] : (1...5).map { "data_batch_\($0).bin" }
    let testName = hundred ? "test.bin" : "test_batch.bin"
    var used: [String] = []
    var trainSets: [ImageSet] = []
    for name in trainNames {
      let file = try source.file(name)
      used.append(file.name)
      trainSets.append(try decode(file.data, name: file.name, hundred: hundred))
      options.progress?(Progress(phase: "reading", done: trainSets.count, total: trainNames.count + 1))
    }
    let testFile = try source.file(testName)
    used.append(testFile.name)
    let test = try decode(testFile.data, name: testFile.name, hundred: hundred)
    let classNames: [String]
    var coarseNames: [String]?
    if hundred {
      let fine = try source.file("fine_label_names.txt")
      let coarse = try source.file("coarse_label_names.txt")
      classNames = try names(fine, expected: 100)
      coarseNames = try names(coarse, expected: 20)
      used += [fine.name, coarse.name]
    } else {
      let meta = try source.file("batches.meta.txt")
      classNames = try names(meta, expected: 10)
      used.append(meta.name)
    }
    let hashed: [(String, String)]
    if case .archive = source {
      hashed = [(try SHA256.hexDigest(ofFile: path), (path as NSString).lastPathComponent)]
    } else {
      hashed = try used.map { (try SHA256.hexDigest(ofFile: $0), ($0 as NSString).lastPathComponent) }
    }
    let name = hundred ? "cifar100" : "cifar10"
    let description = DatasetDescription(
      name: name, classNames: classNames, coarseClassNames: coarseNames,
      source: DatasetImporter.provenance("\(name) binary version from \(path)", files: hashed))
    try DatasetImporter.write(train: concatenate(trainSets), test: test, description: description, options: options)
  }
}
