import Foundation
import HDF5
import TestSupport
import Testing

@testable import Datasets

/// Each official format, written in its exact byte layout by the test and imported.
@Suite struct ImporterTests {
  let scratch = ScratchFolder()

  /// A CIFAR record's pixel for image `image`, plane `channel`, position (y, x).
  static func pixel(_ image: Int, _ channel: Int, _ y: Int, _ x: Int) -> UInt8 {
    UInt8(truncatingIfNeeded: image * 31 + channel * 101 + y * 7 + x * 3)
  }

  /// A CIFAR binary file: records of label bytes then R, G, B planes.
  static func cifarRecords(first: Int, count: Int, labels: (Int) -> [UInt8]) -> Data {
    var bytes: [UInt8] = []
    for image in first..<(first + count) {
      bytes += labels(image)
      for channel in 0..<3 {
        for y in 0..<32 { for x in 0..<32 { bytes.append(pixel(image, channel, y, x)) } }
      }
    }
    return Data(bytes)
  }

  private func writeCIFAR10(_ folder: String) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for batch in 1...5 {
      try Self.cifarRecords(first: (batch - 1) * 4, count: 4) { [UInt8($0 % 10)] }
        .write(to: URL(fileURLWithPath: "\(folder)/data_batch_\(batch).bin"))
    }
    try Self.cifarRecords(first: 100, count: 3) { [UInt8($0 % 10)] }.write(
      to: URL(fileURLWithPath: "\(folder)/test_batch.bin"))
    try (0..<10).map { "name\($0)" }.joined(separator: "\n").write(
      toFile: "\(folder)/batches.meta.txt", atomically: true, encoding: .utf8)
  }

  private func checkCIFAR(_ output: String, trainCount: Int, coarse: Bool) throws {
    let file = try HDF5File.open(output)
    let images = try file.read("train/images", as: UInt8.self)
    let labels = try file.read("train/labels", as: Int64.self)
    #expect(try file.dataset("train/images").shape == [trainCount, 32, 32, 3])
    for image in 0..<trainCount {
      #expect(labels[image] == Int64(coarse ? image % 100 : image % 10))
      for (y, x) in [(0, 0), (5, 17), (31, 31), (12, 3)] {
        for channel in 0..<3 {
          #expect(images[((image * 32 + y) * 32 + x) * 3 + channel] == Self.pixel(image, channel, y, x))
        }
      }
    }
    let test = try file.read("test/labels", as: Int64.self)
    #expect(test == (100..<103).map { Int64(coarse ? $0 % 100 : $0 % 10) })
    #expect(try file.attribute("format") == .string("odimo-dataset"))
    let source = try #require(try file.attribute("source").stringValue)
    #expect(
      source.split(separator: "\n").dropFirst().allSatisfy { $0.count > 66 && $0.prefix(64).allSatisfy(\.isHexDigit) })
  }

  @Test func cifar10FromFolderAndTarGz() throws {
    let folder = scratch.file("cifar-10-batches-bin")
    try writeCIFAR10(folder)
    let fromFolder = scratch.file("c10.h5")
    try DatasetImporter.run(.cifar10, source: scratch.path, options: ImportOptions(output: fromFolder))
    try checkCIFAR(fromFolder, trainCount: 20, coarse: false)
    #expect(try DatasetFile(path: fromFolder).classNames == (0..<10).map { "name\($0)" })
    try run("/bin/tar", ["czf", scratch.file("cifar-10-binary.tar.gz"), "cifar-10-batches-bin"], in: scratch.path)
    let fromArchive = scratch.file("c10-tar.h5")
    try DatasetImporter.run(
      .cifar10, source: scratch.file("cifar-10-binary.tar.gz"), options: ImportOptions(output: fromArchive))
    try checkCIFAR(fromArchive, trainCount: 20, coarse: false)
    #expect(try HDF5File.open(fromArchive).attribute("source").stringValue?.contains("cifar-10-binary.tar.gz") == true)
  }

  @Test func cifar100HasCoarseLabels() throws {
    let folder = scratch.file("cifar-100-binary")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Self.cifarRecords(first: 0, count: 6) { [UInt8($0 % 20), UInt8($0 % 100)] }.write(
      to: URL(fileURLWithPath: "\(folder)/train.bin"))
    try Self.cifarRecords(first: 100, count: 3) { [UInt8($0 % 20), UInt8($0 % 100)] }.write(
      to: URL(fileURLWithPath: "\(folder)/test.bin"))
    try (0..<100).map { "fine\($0)" }.joined(separator: "\n").write(
      toFile: "\(folder)/fine_label_names.txt", atomically: true, encoding: .utf8)
    try (0..<20).map { "coarse\($0)" }.joined(separator: "\n").write(
      toFile: "\(folder)/coarse_label_names.txt", atomically: true, encoding: .utf8)
    let output = scratch.file("c100.h5")
    try DatasetImporter.run(.cifar100, source: folder, options: ImportOptions(output: output))
    try checkCIFAR(output, trainCount: 6, coarse: true)
    let file = try HDF5File.open(output)
    #expect(try file.read("train/coarse_labels", as: Int64.self) == (0..<6).map { Int64($0 % 20) })
    #expect(try file.attribute("coarse_class_names").stringsValue?.count == 20)
    #expect(try DatasetFile(path: output).splits.first?.hasCoarseLabels == true)
  }

  private func writeIDX(_ folder: String, gzip: Bool, trainCount: Int = 12) throws {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    for (stem, count) in [("train", trainCount), ("t10k", 5)] {
      var images: [UInt8] = [0, 0, 8, 3] + bigEndian(count) + bigEndian(4) + bigEndian(3)
      images += (0..<(count * 12)).map { UInt8($0 % 251) }
      let labels: [UInt8] = [0, 0, 8, 1] + bigEndian(count) + (0..<count).map { UInt8($0 % 10) }
      for (name, bytes) in [("\(stem)-images-idx3-ubyte", images), ("\(stem)-labels-idx1-ubyte", labels)] {
        let path = "\(folder)/\(name)"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        if gzip { try run("/bin/gzip", ["-f", path]) }
      }
    }
  }

  @Test func idxFilesGzippedOrNot() throws {
    for gzip in [false, true] {
      let folder = scratch.file("mnist-\(gzip)")
      try writeIDX(folder, gzip: gzip)
      let output = scratch.file("mnist-\(gzip).h5")
      try DatasetImporter.run(.mnist, source: folder, options: ImportOptions(output: output))
      let file = try HDF5File.open(output)
      #expect(try file.dataset("train/images").shape == [12, 4, 3, 1])
      #expect(try file.read("train/images", as: UInt8.self) == (0..<144).map { UInt8($0 % 251) })
      #expect(try file.read("test/labels", as: Int64.self) == [0, 1, 2, 3, 4])
      #expect(try DatasetFile(path: output).classNames == (0...9).map(String.init))
    }
  }

  @Test func meanAndStdAreThoseOfTheTrainSplit() throws {
    let folder = scratch.file("stats")
    try writeIDX(folder, gzip: false)
    let output = scratch.file("stats.h5")
    try DatasetImporter.run(.mnist, source: folder, options: ImportOptions(output: output))
    let values = (0..<144).map { Double($0 % 251) / 255 }
    let mean = values.reduce(0, +) / Double(values.count)
    let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
    let dataset = try DatasetFile(path: output)
    #expect(abs(dataset.mean[0] - mean) < 1e-12)
    #expect(abs(dataset.std[0] - std) < 1e-9)
  }
}
