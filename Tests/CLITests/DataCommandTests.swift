import Foundation
import TestSupport
import Testing

@Suite struct DataCommandTests {
  let scratch = ScratchFolder()

  /// MNIST-layout IDX files: 40 train images (labels 0…9 four times), 10 test images.
  private func writeIDX() throws -> String {
    let folder = scratch.file("idx")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    func be(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
    for (stem, count) in [("train", 40), ("t10k", 10)] {
      var images: [UInt8] = [0, 0, 8, 3]
      images += be(count) + be(2) + be(2)
      images += (0..<(count * 4)).map { UInt8($0 % 200) }
      var labels: [UInt8] = [0, 0, 8, 1]
      labels += be(count) + (0..<count).map { UInt8($0 % 10) }
      try Data(images).write(to: URL(fileURLWithPath: "\(folder)/\(stem)-images-idx3-ubyte"))
      try Data(labels).write(to: URL(fileURLWithPath: "\(folder)/\(stem)-labels-idx1-ubyte"))
    }
    return folder
  }

  @Test func importThenInfo() throws {
    let folder = try writeIDX()
    let output = scratch.file("m.h5")
    let imported = try odimo(
      "data", "import", "mnist", folder, "--out", output, "--val-split", "0.25", "--seed", "3")
    #expect(imported.status == 0, "\(imported.stderr)")
    #expect(imported.stdout.contains("train 30, val 10, test 10"))
    let info = try odimo("data", "info", output, "--json")
    #expect(info.status == 0, "\(info.stderr)")
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
    let splits = try #require(summary["splits"] as? [[String: Any]])
    #expect(splits.map { $0["name"] as? String } == ["train", "val", "test"])
    #expect(splits[1]["class_histogram"] as? [Int] == [Int](repeating: 1, count: 10))
    #expect(splits[0]["shape"] as? [Int] == [2, 2, 1])
    #expect(summary["format_version"] as? Int == 1)
    let text = try odimo("data", "info", output)
    #expect(text.stdout.contains("val: 10 images of 2×2×1"))
  }

  @Test func existingOutputNeedsForce() throws {
    let folder = try writeIDX()
    let output = scratch.file("m.h5")
    #expect(try odimo("data", "import", "mnist", folder, "-o", output).status == 0)
    let again = try odimo("data", "import", "mnist", folder, "-o", output)
    #expect(again.status == 3 && again.stderr.contains("--force"))
    #expect(try odimo("data", "import", "mnist", folder, "-o", output, "--force").status == 0)
    let badSplit = try odimo("data", "import", "mnist", folder, "-o", output, "--force", "--val-split", "1.5")
    #expect(badSplit.status == 64 && badSplit.stderr.contains("--val-split"))
    let notDataset = try odimo("data", "info", scratch.file("idx/train-images-idx3-ubyte"))
    #expect(notDataset.status == 3)
  }

  /// `--pad-to 4 --channels 3` of 2×2 grey images: each centred in black, replicated to
  /// RGB; a file without a validation split (or an empty one) is refused by
  /// search and train (exit 3, naming the file and the fix).
  @Test func paddedImportAndValidationSplit() throws {
    let folder = try writeIDX()
    let output = scratch.file("p.h5")
    let imported = try odimo("data", "import", "mnist", folder, "-o", output, "--pad-to", "4", "--channels", "3")
    #expect(imported.status == 0, "\(imported.stderr)")
    // 10 % of 4 images per class rounds to none.
    #expect(imported.stdout.contains("train 40, val 0, test 10"))
    let pixels = try runPython(
      """
      import h5py, sys
      f = h5py.File(sys.argv[1], "r")
      print(f["test/images"].shape, f["test/images"][1].reshape(-1).tolist())
      """, arguments: [output])
    // Test image 1 holds the bytes 4…7 (row-major 2×2), replicated to 3 channels.
    var image = [Int](repeating: 0, count: 48)
    for (index, value) in [4, 5, 6, 7].enumerated() {
      let (y, x) = (1 + index / 2, 1 + index % 2)
      for c in 0..<3 { image[(y * 4 + x) * 3 + c] = value }
    }
    #expect(pixels.trimmingCharacters(in: .whitespacesAndNewlines) == "(10, 4, 4, 3) \(image)")
    let tooSmall = try odimo("data", "import", "mnist", folder, "-o", output, "--force", "--pad-to", "1")
    #expect(tooSmall.status == 3 && tooSmall.stderr.contains("--pad-to"))

    let noValidation = scratch.file("nv.h5")
    #expect(try odimo("data", "import", "mnist", folder, "-o", noValidation, "--val-split", "0").status == 0)
    let search = try odimo(
      "search", "--soc", "diana", "--model", "resnet8", "--data", noValidation, "--lambda", "0", "--out",
      scratch.file("r.h5"))
    #expect(search.status == 3 && search.stderr.contains(noValidation) && search.stderr.contains("--val-split"))
    let train = try odimo(
      "train", "--model", "resnet8", "--data", noValidation, "--epochs", "1", "--batch", "8", "--out",
      scratch.file("c.h5"))
    #expect(train.status == 3 && train.stderr.contains("--val-split"), "\(train.stderr)")
  }
}
