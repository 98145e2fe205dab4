import Foundation

/// MNIST and Fashion-MNIST from their four IDX files (gzip-compressed or not).
enum IDXImporter {
  static let fashionClasses = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
  ]
  static let digitClasses = (0...9).map(String.init)

  /// An IDX file's dimensions and payload.
  struct IDX {
    let dimensions: [Int]
    let payload: Data
  }

  /// Parses an IDX file of unsigned bytes with `rank` dimensions.
  static func parse(_ data: Data, path: String, rank: Int) throws -> IDX {
    let bytes = [UInt8](data.prefix(4 + 4 * rank))
    guard bytes.count >= 4 else { throw DatasetError.corrupt(path, offset: 0, "too short for an IDX header") }
    let magic = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    let expected = UInt32(0x0800 + rank)
    guard magic == expected else {
      throw DatasetError.corrupt(
        path, offset: 0,
        String(format: "bad IDX magic 0x%08X; expected 0x%08X (unsigned bytes, %d dimensions)", magic, expected, rank))
    }
    guard bytes.count == 4 + 4 * rank else { throw DatasetError.corrupt(path, offset: 4, "truncated IDX header") }
    let dimensions = (0..<rank).map { index in
      bytes[(4 + 4 * index)..<(8 + 4 * index)].reduce(0) { $0 << 8 | Int($1) }
    }
    let header = 4 + 4 * rank
    let expectedBytes = dimensions.reduce(1, *)
    guard data.count - header == expectedBytes else {
      throw DatasetError.corrupt(
        path, offset: min(data.count, header + expectedBytes),
        "the header promises \(dimensions.map(String.init).joined(separator: " × ")) = \(expectedBytes) bytes of data, "
          + "the file holds \(data.count - header)")
    }
    return IDX(dimensions: dimensions, payload: data.dropFirst(header))
  }

  /// The path of `stem` in `folder`, with or without ".gz".
  static func locate(_ stem: String, in folder: String) throws -> String {
    for candidate in [stem + ".gz", stem] {
      let path = (folder as NSString).appendingPathComponent(candidate)
      if FileManager.default.fileExists(atPath: path) { return path }
    }
    throw DatasetError.unreadable((folder as NSString).appendingPathComponent(stem + "[.gz]"), "missing IDX file")
  }

  static func load(images stem: String, labels labelStem: String, folder: String, classes: Int) throws -> (
    ImageSet, [String]
  ) {
    let imagePath = try locate(stem, in: folder)
    let labelPath = try locate(labelStem, in: folder)
    let images = try parse(Gzip.contents(of: imagePath), path: imagePath, rank: 3)
    let labels = try parse(Gzip.contents(of: labelPath), path: labelPath, rank: 1)
    guard images.dimensions[0] == labels.dimensions[0] else {
      throw DatasetError.wrongFormat(
        labelPath, "holds \(labels.dimensions[0]) labels for the \(images.dimensions[0]) images of \(imagePath)")
    }
    let labelValues = labels.payload.map { Int64($0) }
    if let bad = labelValues.firstIndex(where: { $0 >= classes }) {
      throw DatasetError.badRecord(labelPath, record: bad, "label \(labelValues[bad]) is out of range 0…\(classes - 1)")
    }
    let set = ImageSet(
      height: images.dimensions[1], width: images.dimensions[2], channels: 1, pixels: [UInt8](images.payload),
      labels: labelValues)
    return (set, [imagePath, labelPath])
  }

  static func run(fashion: Bool, folder: String, options: ImportOptions) throws {
    let classes = fashion ? fashionClasses : digitClasses
    let (train, trainFiles) = try load(
      images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte", folder: folder, classes: classes.count)
    let (test, testFiles) = try load(
      images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte", folder: folder, classes: classes.count)
    let files = try (trainFiles + testFiles).map {
      (try SHA256.hexDigest(ofFile: $0), ($0 as NSString).lastPathComponent)
    }
    let name = fashion ? "fashion-mnist" : "mnist"
    let description = DatasetDescription(
      name: name, classNames: classes,
      source: DatasetImporter.provenance("\(name) IDX files from \(folder)", files: files))
    try DatasetImporter.write(train: train, test: test, description: description, options: options)
  }
}
