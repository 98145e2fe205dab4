import Datasets
import Engine
import Foundation
import HDF5
import Models
import Support

extension DeployedNetwork {
  /// A checkpoint or run file, told apart by its `format` attribute.
  package static func load(_ path: String, producer version: String) throws -> DeployedNetwork {
    guard FileManager.default.fileExists(atPath: path) else { throw ExportError.missingFile(path) }
    let file = try HDF5File.open(path)
    let format = file.hasAttribute("format") ? try file.attribute("format").stringValue : nil
    file.close()
    switch format {
    case Checkpoint.formatName: return try DeployedNetwork(checkpoint: path, producer: version)
    case "odimo-run": return try DeployedNetwork(run: path, producer: version)
    default: throw ExportError.unknownFile(file: path, format: format)
    }
  }

  /// The first `count` images of `split` of `dataset` (default: the one the network was
  /// trained on) exactly as odimo feeds them, their labels and odimo's logits: what an
  /// exported model is checked against.
  package func referenceBatch(count: Int, split: String = "test", dataset: String? = nil) throws -> ReferenceBatch {
    guard let path = dataset ?? self.dataset else { throw ExportError.unknownDataset(file: source) }
    let available = try DatasetFile(path: path).split(split).count
    guard count > 0, count <= available else {
      throw InvalidOption(
        "--reference-images", value: count, expected: "1…\(available) (the images of \(path) split \(split))")
    }
    // Evaluated 256 images at a time: the whole test split in one batch would need gigabytes
    // of activations.
    let loader = try BatchLoader(
      path: path, split: split, options: LoaderOptions(batchSize: min(count, 256), shuffle: false, limit: count))
    let stream = loader.batches(epoch: 0)
    defer { stream.cancel() }
    var (images, labels, logits) = ([Float](), [Int32](), [Float]())
    var shape: [Int] = []
    while let batch = try stream.nextBatch() {
      let input = Tensor(dims: [batch.count, batch.channels, batch.height, batch.width], values: batch.images)
      logits += try network.forward(input, training: false).values()
      images += batch.images
      labels += batch.labels
      shape = [labels.count, batch.channels, batch.height, batch.width]
    }
    guard labels.count == count else { throw ExportError.missingValue(file: path, name: "\(split)/images") }
    return ReferenceBatch(
      images: images, shape: shape, labels: labels,
      logits: logits, classes: architecture.classes)
  }
}

/// Images as odimo feeds them (normalised, N×C×H×W), their labels and odimo's logits.
package struct ReferenceBatch: Sendable {
  package let images: [Float]
  package let shape: [Int]
  package let labels: [Int32]
  package let logits: [Float]
  package let classes: Int

  /// Writes `images`, `labels` and `logits` datasets to an HDF5 file (h5py reads them).
  package func write(_ path: String) throws {
    try SafeWrite.hdf5(path) { file in
      try file.setAttribute("format", .string("odimo-reference-batch"))
      try file.write(images, to: "images", shape: shape)
      try file.write(labels.map(Int64.init), to: "labels", shape: [labels.count])
      try file.write(logits, to: "logits", shape: [labels.count, classes])
    }
  }
}
