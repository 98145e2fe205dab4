import Foundation
import HDF5
import Support
import TestSupport
import Testing

@testable import Datasets

@Suite struct DatasetBadInputTests {
  let scratch = ScratchFolder()

  private func failure(_ format: ImportFormat, _ source: String, output: String? = nil, force: Bool = false)
    -> DatasetError?
  {
    do {
      try DatasetImporter.run(
        format, source: source, options: ImportOptions(output: output ?? scratch.file("out.h5"), force: force))
      return nil
    } catch let error as DatasetError {
      return error
    } catch {
      Issue.record("unexpected error \(error)")
      return nil
    }
  }

  @Test func cifarRecordOfWrongSize() throws {
    let folder = scratch.file("c")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try Data(repeating: 1, count: 3073 * 2 + 100).write(to: URL(fileURLWithPath: folder + "/data_batch_1.bin"))
    let error = try #require(failure(.cifar10, folder))
    #expect(error.description.contains("data_batch_1.bin: record 2"))
    #expect(error.description.contains("3073-byte records"))
    #expect(!FileManager.default.fileExists(atPath: scratch.file("out.h5")))
  }

  @Test func cifarLabelOutOfRange() throws {
    let folder = scratch.file("c")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var records = ImporterTests.cifarRecords(first: 0, count: 3) { _ in [3] }
    records[3073 * 2] = 12
    try records.write(to: URL(fileURLWithPath: folder + "/data_batch_1.bin"))
    let error = try #require(failure(.cifar10, folder))
    #expect(error.description.contains("record 2: label 12 is out of range 0…9"))
  }

  @Test func truncatedArchive() throws {
    let folder = scratch.file("cifar-10-batches-bin")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try ImporterTests.cifarRecords(first: 0, count: 40) { _ in [1] }.write(
      to: URL(fileURLWithPath: folder + "/data_batch_1.bin"))
    try run("/bin/tar", ["czf", scratch.file("a.tar.gz"), "cifar-10-batches-bin"], in: scratch.path)
    let whole = try Data(contentsOf: URL(fileURLWithPath: scratch.file("a.tar.gz")))
    try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: scratch.file("cut.tar.gz")))
    let error = try #require(failure(.cifar10, scratch.file("cut.tar.gz")))
    #expect(error.description.contains("cut.tar.gz"))
    #expect(error.description.contains("truncated"))
  }

  @Test func badIDXMagicAndCountMismatch() throws {
    let folder = scratch.file("idx")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var images: [UInt8] = [0, 0, 8, 1]
    images += bigEndian(2) + [1, 2]
    try Data(images).write(to: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte"))
    try Data([0, 0, 8, 1] + bigEndian(2) + [1, 2]).write(to: URL(fileURLWithPath: folder + "/train-labels-idx1-ubyte"))
    let magic = try #require(failure(.fashionMNIST, folder))
    #expect(
      magic.description.contains("train-images-idx3-ubyte: at byte 0: bad IDX magic 0x00000801; expected 0x00000803"))
    var good: [UInt8] = [0, 0, 8, 3]
    good += bigEndian(3) + bigEndian(2) + bigEndian(2)
    good += [UInt8](repeating: 9, count: 12)
    try Data(good).write(to: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte"))
    let mismatch = try #require(failure(.fashionMNIST, folder))
    #expect(mismatch.description.contains("holds 2 labels for the 3 images"))
    try Data(good.dropLast(5)).write(to: URL(fileURLWithPath: folder + "/train-images-idx3-ubyte"))
    let short = try #require(failure(.fashionMNIST, folder))
    #expect(short.description.contains("the file holds 7"))
  }

  @Test func missingFilesAndExistingOutput() throws {
    let missing = try #require(failure(.mnist, scratch.file("nowhere")))
    #expect(missing.description.contains("nowhere"))
    let empty = scratch.file("empty")
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    #expect(try #require(failure(.mnist, empty)).description.contains("train-images-idx3-ubyte"))
    let existing = scratch.file("exists.h5")
    try Data("precious".utf8).write(to: URL(fileURLWithPath: existing))
    let refused = try #require(failure(.mnist, empty, output: existing))
    #expect(refused.description.contains("--force"))
    #expect(try String(contentsOfFile: existing, encoding: .utf8) == "precious")
  }

  @Test func imagenetEmptyClassAndCorruptImage() throws {
    let root = scratch.file("inet")
    for wnid in ["n01", "n02"] {
      try FileManager.default.createDirectory(atPath: "\(root)/train/\(wnid)", withIntermediateDirectories: true)
    }
    try ImageFixtures.png(width: 4, height: 4) { _, _ in (1, 2, 3) }.write(
      to: URL(fileURLWithPath: "\(root)/train/n01/a.png"))
    let empty = try #require(failure(.imagenet, root))
    #expect(empty.description.contains("train/n02") && empty.description.contains("no JPEG or PNG"))
    var jpeg = try ImageFixtures.jpeg(width: 16, height: 16) { _, _ in (9, 9, 9) }
    jpeg.removeSubrange(40..<jpeg.count)
    try jpeg.write(to: URL(fileURLWithPath: "\(root)/train/n02/b.JPEG"))
    let corrupt = try #require(failure(.imagenet, root))
    #expect(corrupt.description.contains("n02/b.JPEG"))
  }
}

@Suite struct ValidationSplitTests {
  @Test func stratifiedAndDeterministic() throws {
    let labels: [Int64] = (0..<1000).map { (index: Int) -> Int64 in index % 7 == 0 ? 0 : Int64(index % 3 + 1) }
    let (train, validation) = try ValidationSplit.stratified(labels: labels, fraction: 0.2, seed: 5)
    #expect(train.count + validation.count == 1000 && Set(train).isDisjoint(with: validation))
    for label in Set(labels) {
      let total = labels.filter { $0 == label }.count
      let picked = validation.filter { labels[$0] == label }.count
      #expect(picked == Int((0.2 * Double(total)).rounded()))
    }
    #expect(try ValidationSplit.stratified(labels: labels, fraction: 0.2, seed: 5).validation == validation)
    #expect(try ValidationSplit.stratified(labels: labels, fraction: 0.2, seed: 6).validation != validation)
    #expect(train == train.sorted())
    let refused = try #require(throws: InvalidOption.self) {
      try ValidationSplit.stratified(labels: labels, fraction: 1, seed: 0)
    }
    #expect(refused.option == "--val-split")
  }
}

/// The checks training relies on run before the first step: bad labels in the test split,
/// a zero std, a split of another shape or an empty one fail at once, named.
@Suite struct DatasetTrainingCheckTests {
  let scratch = ScratchFolder()

  @Test func badSplitsFailBeforeTraining() throws {
    let good = scratch.file("good.h5")
    try QuadrantData.write(good)
    try DatasetFile(path: good).checkForTraining()
    func damaged(_ name: String, _ edit: (HDF5File) throws -> Void) throws -> DatasetError? {
      let path = scratch.file(name)
      try FileManager.default.copyItem(atPath: good, toPath: path)
      let file = try HDF5File.open(path, writable: true)
      try edit(file)
      try file.finish()
      do {
        try DatasetFile(path: path).checkForTraining()
        return nil
      } catch let error as DatasetError {
        return error
      }
    }
    let label = try damaged("label.h5") { file in
      var labels = try file.read("test/labels", as: Int64.self)
      labels[3] = 99
      try file.remove("test/labels")
      try file.write(labels, to: "test/labels")
    }
    #expect(label.map { "\($0)".contains("test/labels[3] is 99") } == true, "\(String(describing: label))")
    let std = try damaged("std.h5") { file in
      let channels = (try file.attribute("std").doublesValue ?? []).count
      try file.setAttribute("std", .doubles([Double](repeating: 0, count: channels)))
    }
    #expect(std.map { "\($0)".contains("std of channel 0") } == true)
    let mean = try damaged("mean.h5") { file in
      let channels = (try file.attribute("mean").doublesValue ?? []).count
      try file.setAttribute("mean", .doubles([Double](repeating: .nan, count: channels)))
    }
    #expect(mean.map { "\($0)".contains("mean holds nan") } == true)
    // An empty validation split (a tiny --val-split) is named, not "batch size must be positive".
    let empty = try damaged("empty.h5") { file in
      let shape = try file.dataset("val/images").shape
      try file.remove("val/images")
      try file.remove("val/labels")
      try file.write([UInt8](), to: "val/images", shape: [0] + shape.dropFirst())
      try file.write([Int64](), to: "val/labels")
    }
    #expect(empty.map { "\($0)".contains("'val' split is empty") } == true, "\(String(describing: empty))")
  }
}
