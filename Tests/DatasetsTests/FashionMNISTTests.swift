import Foundation
import HDF5
import TestSupport
import Testing

@testable import Datasets

/// The real Fashion-MNIST from Debian's dataset-fashion-mnist package, checked against
/// figures computed independently (Python's gzip module reading the IDX files).
@Suite struct FashionMNISTTests {
  let scratch = ScratchFolder()
  static let folder = "/usr/share/datasets/fashion-mnist"

  @Test func realImportMatchesAnIndependentReading() throws {
    let output = scratch.file("fmnist.h5")
    try DatasetImporter.run(
      .fashionMNIST, source: Self.folder, options: ImportOptions(output: output, validationFraction: 0))
    let reference = try runPython(
      """
      import gzip, json, sys
      d = sys.argv[1]
      out = {}
      for split, stem in (("train", "train"), ("test", "t10k")):
          images = gzip.open(f"{d}/{stem}-images-idx3-ubyte.gz").read()[16:]
          labels = gzip.open(f"{d}/{stem}-labels-idx1-ubyte.gz").read()[8:]
          out[split] = {
              "count": len(labels),
              "histogram": [labels.count(bytes([c])) for c in range(10)],
              "sum_first": sum(images[:784]),
              "sum_last": sum(images[-784:]),
              "sum_all": sum(images),
          }
      print(json.dumps(out))
      """, arguments: [Self.folder])
    let expected = try #require(
      try JSONSerialization.jsonObject(with: Data(reference.utf8)) as? [String: [String: Any]])
    let file = try HDF5File.open(output)
    for split in ["train", "test"] {
      let want = try #require(expected[split])
      let images = try file.read("\(split)/images", as: UInt8.self)
      let labels = try file.read("\(split)/labels", as: Int64.self)
      #expect(try file.dataset("\(split)/images").shape == [want["count"] as? Int ?? -1, 28, 28, 1])
      var histogram = [Int](repeating: 0, count: 10)
      for label in labels { histogram[Int(label)] += 1 }
      #expect(histogram == want["histogram"] as? [Int])
      #expect(images.prefix(784).reduce(0) { $0 + Int($1) } == want["sum_first"] as? Int)
      #expect(images.suffix(784).reduce(0) { $0 + Int($1) } == want["sum_last"] as? Int)
      #expect(images.reduce(0) { $0 + Int($1) } == want["sum_all"] as? Int)
    }
    #expect(try file.dataset("train/images").shape[0] == 60_000)
    #expect(try file.dataset("test/images").shape[0] == 10_000)
    let dataset = try DatasetFile(path: output)
    #expect(abs(dataset.mean[0] - 0.2860) < 1e-4 && abs(dataset.std[0] - 0.3530) < 1e-4)
  }
}
