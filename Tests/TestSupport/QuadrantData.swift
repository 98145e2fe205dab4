import Datasets
import Support

/// A small learnable dataset for tests: 16×16 grey images whose bright quadrant
/// (top-left, top-right, bottom-left, bottom-right) is the label; seeded, so identical
/// every run.
public enum QuadrantData {
  public static func write(_ path: String, train: Int = 128, validation: Int = 32, test: Int = 32) throws {
    var generator = SplitMix64(seed: 5)
    let description = DatasetDescription(name: "quadrants", classNames: ["tl", "tr", "bl", "br"], source: "synthetic")
    try DatasetWriter.create(path, description: description, force: true) { writer in
      for (split, count) in [("train", train), ("val", validation), ("test", test)] where count > 0 {
        try writer.beginSplit(split, height: 16, width: 16, channels: 1)
        var pixels: [UInt8] = []
        for index in 0..<count {
          for y in 0..<16 {
            for x in 0..<16 {
              let quadrant = (y >= 8 ? 2 : 0) + (x >= 8 ? 1 : 0)
              pixels.append(UInt8((quadrant == index % 4 ? 160 : 40) + Int(generator.next() % 60)))
            }
          }
        }
        try writer.append(pixels: pixels, labels: (0..<count).map { Int64($0 % 4) })
      }
    }
  }
}
