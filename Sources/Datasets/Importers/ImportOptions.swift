import Foundation

/// What every importer needs besides its source.
package struct ImportOptions: Sendable {
  /// The dataset file to write.
  package var output: String
  /// Replace an existing output file.
  package var force: Bool
  /// Fraction of the training images carved out, stratified, as a validation split (0: none,
  /// which leaves nothing to select epochs on: search and train refuse such a file).
  package var validationFraction: Double
  /// Seed of the validation split.
  package var seed: UInt64
  /// Pads every image with black pixels, centred, to this square size (nil: as imported).
  package var padTo: Int?
  /// Replicates single-channel images to this many channels (nil: as imported).
  package var channels: Int?
  package var progress: ProgressHandler?

  package init(
    output: String, force: Bool = false, validationFraction: Double = 0.1, seed: UInt64 = 0, padTo: Int? = nil,
    channels: Int? = nil, progress: ProgressHandler? = nil
  ) {
    self.output = output
    self.force = force
    self.validationFraction = validationFraction
    self.seed = seed
    self.padTo = padTo
    self.channels = channels
    self.progress = progress
  }

  /// What the geometry options did, for the file's provenance ("" when nothing).
  var geometryNote: String {
    var notes: [String] = []
    if let padTo { notes.append("padded with black pixels to \(padTo)×\(padTo)") }
    if let channels { notes.append("replicated to \(channels) channels") }
    return notes.isEmpty ? "" : "; " + notes.joined(separator: ", ")
  }
}

/// The formats `odimo data import` reads.
package enum ImportFormat: String, CaseIterable, Sendable {
  case cifar10, cifar100, mnist
  case fashionMNIST = "fashion-mnist"
  case imagenet
}

/// Imports datasets from their official distributions into odimo dataset files.
package enum DatasetImporter {
  /// Imports `source` (a folder or archive, depending on the format) into `options.output`.
  package static func run(
    _ format: ImportFormat, source: String, options: ImportOptions, resolution: Int = 64, synsets: String? = nil
  )
    throws
  {
    guard FileManager.default.fileExists(atPath: source) else {
      throw DatasetError.unreadable(source, "no such file or folder")
    }
    // Refuse before the (possibly long) import, not after it.
    if FileManager.default.fileExists(atPath: options.output) && !options.force {
      throw DatasetError.outputExists(options.output)
    }
    switch format {
    case .cifar10, .cifar100:
      try CIFARImporter.run(hundred: format == .cifar100, source: source, options: options)
    case .mnist, .fashionMNIST:
      try IDXImporter.run(fashion: format == .fashionMNIST, folder: source, options: options)
    case .imagenet:
      try ImageNetImporter.run(root: source, resolution: resolution, synsets: synsets, options: options)
    }
  }

  /// Writes a dataset from in-memory train and test sets, carving the validation split.
  static func write(train: ImageSet, test: ImageSet, description: DatasetDescription, options: ImportOptions) throws {
    let train = try train.reshaped(padTo: options.padTo, channels: options.channels)
    let test = try test.reshaped(padTo: options.padTo, channels: options.channels)
    var description = description
    let summaryEnd = description.source.firstIndex(of: "\n") ?? description.source.endIndex
    description.source.insert(contentsOf: options.geometryNote, at: summaryEnd)
    try DatasetWriter.create(options.output, description: description, force: options.force) { writer in
      if options.validationFraction > 0 {
        let (trainIndices, validationIndices) = try ValidationSplit.stratified(
          labels: train.labels, fraction: options.validationFraction, seed: options.seed)
        try writer.write("train", train.subset(trainIndices), progress: options.progress)
        try writer.write("val", train.subset(validationIndices), progress: options.progress)
      } else {
        try writer.write("train", train, progress: options.progress)
      }
      try writer.write("test", test, progress: options.progress)
    }
  }

  /// The `source` attribute: what was imported, then one sha256sum-style line per file.
  static func provenance(_ summary: String, files: [(digest: String, name: String)]) -> String {
    ([summary] + files.map { "\($0.digest)  \($0.name)" }).joined(separator: "\n")
  }
}
