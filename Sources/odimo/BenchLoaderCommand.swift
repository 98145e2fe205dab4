import ArgumentParser
import Datasets
import Foundation
import Support

struct BenchLoader: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "loader",
    abstract: "Images per second of the training loader (shuffle, augment, normalise).",
    discussion: """
      Reads one epoch per round of --data (default: a synthetic CIFAR-sized dataset of \
      --images 32×32×3 images written to a temporary file) in batches of --batch with \
      random crop (padding 4) and horizontal flip, on the loader's single background \
      thread, and reports the median over rounds.
      """
  )

  @Option(help: "A dataset file (default: synthetic 32×32×3).") var data: String?
  @Option(help: "Split to read.") var split = "train"
  @Option(help: "Synthetic images when --data is not given.") var images = 50_000
  @Option(help: "Batch size.") var batch = 128
  @Option(help: "Rounds (epochs); the median is reported.") var rounds = 5
  @Option(help: "Keep at most this many MiB decoded in memory (smaller streams chunk windows).") var memoryMib = 2048
  @Flag(help: "Print JSON with images_per_second.") var json = false

  struct Summary: Encodable {
    let imagesPerSecond: Double
    let rounds: [Double]
    let batch: Int
    let images: Int
    let resident: Bool
  }

  func run() throws {
    try reportingErrors {
      var temporary: String?
      defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
      let path: String
      if let data {
        path = data
      } else {
        let made = NSTemporaryDirectory() + "odimo-bench-loader-\(UUID().uuidString.prefix(8)).h5"
        temporary = made
        try writeSynthetic(made)
        path = made
      }
      let options = LoaderOptions(
        batchSize: batch, shuffle: true, seed: 1, augmentation: .cropAndFlip, memoryBudgetBytes: memoryMib << 20)
      let loader = try BatchLoader(path: path, split: split, options: options)
      var rates: [Double] = []
      for round in 0..<rounds {
        let clock = ContinuousClock()
        var count = 0
        let elapsed = try clock.measure {
          let stream = loader.batches(epoch: round)
          while let batch = try stream.nextBatch() { count += batch.count }
        }
        rates.append(Double(count) / elapsed.seconds)
      }
      let summary = Summary(
        imagesPerSecond: median(rates), rounds: rates, batch: batch, images: loader.split.count,
        resident: loader.split.count * loader.split.height * loader.split.width * loader.split.channels <= memoryMib
          << 20)
      if json { return try printJSON(summary) }
      print(
        String(
          format: "loader: %.0f images/s (median of %d epochs of %d images, batch %d, crop+flip, %@)",
          summary.imagesPerSecond, rounds, summary.images, batch, summary.resident ? "resident" : "streamed"))
    }
  }

  private func writeSynthetic(_ path: String) throws {
    var generator = SplitMix64(seed: 7)
    let description = DatasetDescription(
      name: "synthetic", classNames: (0..<10).map { "class\($0)" }, source: "synthetic")
    try DatasetWriter.create(path, description: description, force: true) { writer in
      try writer.beginSplit("train", height: 32, width: 32, channels: 3)
      for start in stride(from: 0, to: images, by: 1000) {
        let count = min(1000, images - start)
        let pixels = (0..<(count * 3072)).map { UInt8(truncatingIfNeeded: ($0 % 96) + Int(generator.next() >> 61)) }
        try writer.append(pixels: pixels, labels: (0..<count).map { Int64(($0 + start) % 10) })
      }
    }
  }
}
