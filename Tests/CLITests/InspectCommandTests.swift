import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct InspectCommandTests {
  let scratch = ScratchFolder()

  private func sample() throws -> String {
    let path = scratch.file("sample.h5")
    let file = try HDF5File.create(path)
    try file.write(
      (0..<120).map { UInt8($0) }, to: "train/images", shape: [10, 2, 2, 3], options: .archived(chunks: [1, 2, 2, 3]))
    try file.write((0..<10).map { Int64($0 % 3) }, to: "train/labels")
    try file.setAttribute("format", .string("odimo-dataset"))
    try file.setAttribute("mean", .doubles((0..<20).map(Double.init)))
    try file.setAttribute("unit", .string("cycles"), at: "train/labels")
    file.close()
    return path
  }

  @Test func textListsTreeWithDetails() throws {
    let result = try odimo("inspect", try sample())
    #expect(result.status == 0)
    let lines = result.stdout.split(separator: "\n").map(String.init)
    #expect(lines.first == "/")
    #expect(lines.contains("  @format = \"odimo-dataset\""))
    #expect(lines.contains { $0.contains("@mean = [0.0, 1.0") && $0.contains("(20 total)") })
    #expect(lines.contains("  train/"))
    #expect(lines.contains("    images  uint8 [10 × 2 × 2 × 3]  chunks 1×2×2×3  shuffle+gzip(4)+fletcher32"))
    #expect(lines.contains("      @unit = \"cycles\""))
  }

  @Test func jsonListsEveryObject() throws {
    let result = try odimo("inspect", try sample(), "--json")
    #expect(result.status == 0)
    let objects = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    #expect(objects.map { $0["path"] as? String } == ["/", "/train", "/train/images", "/train/labels"])
    #expect(objects.map { $0["kind"] as? String } == ["group", "group", "dataset", "dataset"])
    let images = objects[2]
    #expect(images["shape"] as? [Int] == [10, 2, 2, 3])
    #expect(images["dtype"] as? String == "uint8")
    #expect(images["chunks"] as? [Int] == [1, 2, 2, 3])
    let root = try #require(objects[0]["attributes"] as? [String: Any])
    #expect((root["mean"] as? [Double])?.count == 20)
    #expect(root["format"] as? String == "odimo-dataset")
  }

  @Test func badFilesExitWithStatus3AndNameTheFile() throws {
    let text = scratch.file("notes.txt")
    try "hello".write(toFile: text, atomically: true, encoding: .utf8)
    for path in [text, scratch.file("missing.h5")] {
      let result = try odimo("inspect", path)
      #expect(result.status == 3)
      #expect(result.stderr.contains(path))
      #expect(result.stdout.isEmpty)
    }
  }

  @Test func helpTeaches() throws {
    let result = try odimo("--help")
    #expect(result.status == 0)
    #expect(result.stdout.contains("Exit status"))
    for command in [
      "data", "model", "train", "search", "sweep", "baselines", "report", "audit", "inspect", "cost", "bench",
    ] {
      #expect(result.stdout.contains("  \(command) "), "odimo --help lists \(command)")
    }
  }
}
