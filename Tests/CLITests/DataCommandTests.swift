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
      "data", "import", "mnist", folder, "--output", output, "--val-split", "0.25", "--seed", "3")
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
}
