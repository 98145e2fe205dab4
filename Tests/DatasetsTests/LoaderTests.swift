import Foundation
import TestSupport
import Testing

@testable import Datasets

@Suite struct LoaderTests {
  let scratch = ScratchFolder()

  /// A dataset of `count` 6×5×2 images whose every pixel encodes its image index, so
  /// batches can be traced back to the images they came from.
  private func makeDataset(count: Int = 103) throws -> String {
    let path = scratch.file("tiny.h5")
    let description = DatasetDescription(name: "tiny", classNames: ["a", "b", "c"], source: "test")
    try DatasetWriter.create(path, description: description, force: true) { writer in
      try writer.beginSplit("train", height: 6, width: 5, channels: 2)
      let pixels = (0..<count).flatMap { image in [UInt8](repeating: UInt8(truncatingIfNeeded: image), count: 60) }
      try writer.append(pixels: pixels, labels: (0..<count).map { Int64($0 % 3) })
    }
    return path
  }

  private func epoch(_ loader: BatchLoader, _ number: Int) throws -> [Batch] {
    let stream = loader.batches(epoch: number)
    var batches: [Batch] = []
    while let batch = try stream.nextBatch() { batches.append(batch) }
    return batches
  }

  /// The image index of each image in a batch (decoded from its first pixel).
  private func indices(_ batch: Batch, dataset: DatasetFile) -> [Int] {
    let elements = batch.channels * batch.height * batch.width
    return (0..<batch.count).map { position in
      let value = Double(batch.images[position * elements]) * dataset.std[0] + dataset.mean[0]
      return Int((value * 255).rounded())
    }
  }

  @Test func sameSeedAndEpochGiveSameBatchesAndEveryImageOnce() throws {
    let path = try makeDataset()
    let options = LoaderOptions(batchSize: 10, seed: 42)
    let first = try BatchLoader(path: path, split: "train", options: options)
    let second = try BatchLoader(path: path, split: "train", options: options)
    let a = try epoch(first, 3)
    let b = try epoch(second, 3)
    #expect(a.map(\.images) == b.map(\.images) && a.map(\.labels) == b.map(\.labels))
    #expect(a.count == 11 && a.last?.count == 3 && first.batchesPerEpoch == 11)
    let seen = a.flatMap { indices($0, dataset: first.dataset) }
    #expect(seen.sorted() == Array(0..<103))
    #expect(seen != Array(0..<103))
    for batch in a {
      #expect(zip(indices(batch, dataset: first.dataset), batch.labels).allSatisfy { Int32($0 % 3) == $1 })
    }
    let other = try epoch(first, 4).flatMap { indices($0, dataset: first.dataset) }
    #expect(other != seen && other.sorted() == seen.sorted())
    let otherSeed = try epoch(
      try BatchLoader(path: path, split: "train", options: LoaderOptions(batchSize: 10, seed: 7)), 3)
    #expect(otherSeed.flatMap { indices($0, dataset: first.dataset) } != seen)
  }

  @Test func dropLastAndNoShuffle() throws {
    let path = try makeDataset()
    let loader = try BatchLoader(
      path: path, split: "train", options: LoaderOptions(batchSize: 10, shuffle: false, dropLast: true))
    let batches = try epoch(loader, 0)
    #expect(batches.count == 10 && batches.allSatisfy { $0.count == 10 })
    #expect(batches.flatMap { indices($0, dataset: loader.dataset) } == Array(0..<100))
  }

  @Test func streamedWindowsCoverEveryImageDeterministically() throws {
    let path = try makeDataset(count: 2000)
    // A budget smaller than the split forces chunk-window streaming.
    let options = LoaderOptions(batchSize: 64, seed: 1, memoryBudgetBytes: 30_000)
    let loader = try BatchLoader(path: path, split: "train", options: options)
    let seen = try epoch(loader, 0).flatMap { indices($0, dataset: loader.dataset) }
    #expect(seen.count == 2000)
    #expect(Set(seen).count == 256)  // pixel values wrap at 256: every value present
    let again = try epoch(try BatchLoader(path: path, split: "train", options: options), 0).flatMap {
      indices($0, dataset: loader.dataset)
    }
    #expect(again == seen)
  }

  @Test func badOptionsAreRefused() throws {
    let path = try makeDataset()
    #expect(throws: DatasetError.self) {
      try BatchLoader(path: path, split: "train", options: LoaderOptions(batchSize: 104))
    }
    #expect(throws: DatasetError.self) {
      try BatchLoader(path: path, split: "val", options: LoaderOptions(batchSize: 4))
    }
    #expect(throws: DatasetError.self) {
      try BatchLoader(path: path, split: "train", options: LoaderOptions(batchSize: 0))
    }
  }

  @Test func cropMovesAndFlipMirrorsAKnownPixel() {
    // A 4×5 single-channel image with one bright pixel at (y 1, x 3).
    var source = [UInt8](repeating: 0, count: 20)
    source[1 * 5 + 3] = 255
    let writer = ImageWriter(height: 4, width: 5, channels: 1, layout: .nchw, mean: [0], std: [1], padding: 2)
    func render(_ draw: AugmentationDraw) -> [Float] {
      var output = [Float](repeating: -1, count: 20)
      source.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { writer.write(input.baseAddress!, draw: draw, to: $0.baseAddress!) }
      }
      return output
    }
    var draw = AugmentationDraw()
    draw.offsetY = 2
    draw.offsetX = 2  // centred crop: identity
    #expect(render(draw).firstIndex(of: 1) == 1 * 5 + 3)
    draw.offsetY = 0
    draw.offsetX = 1  // window shifted up-left by (2, 1): the pixel moves down-right
    #expect(render(draw).firstIndex(of: 1) == 3 * 5 + 4)
    #expect(render(draw)[0] == 0)  // padding is black
    draw.offsetY = 2
    draw.offsetX = 2
    draw.flip = true  // x → W − 1 − x
    #expect(render(draw).firstIndex(of: 1) == 1 * 5 + 1)
  }

  @Test func normalisationAndLayouts() {
    let source: [UInt8] = [0, 255, 51, 102]  // 1×2 pixels × 2 channels (HWC)
    for layout in TensorLayout.allCases {
      let writer = ImageWriter(
        height: 1, width: 2, channels: 2, layout: layout, mean: [0.5, 0.2], std: [0.25, 0.4], padding: 0)
      var output = [Float](repeating: 0, count: 4)
      source.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer {
          writer.write(input.baseAddress!, draw: AugmentationDraw(), to: $0.baseAddress!)
        }
      }
      let expected: [Float] = [(0 - 0.5) / 0.25, (1 - 0.2) / 0.4, (0.2 - 0.5) / 0.25, (0.4 - 0.2) / 0.4]
      let ordered = layout == .nhwc ? expected : [expected[0], expected[2], expected[1], expected[3]]
      #expect(zip(output, ordered).allSatisfy { abs($0 - $1) < 1e-6 })
    }
  }

  @Test func rotationByZeroIsIdentityAndTranslationShifts() {
    var source = [UInt8](repeating: 0, count: 25)
    source[2 * 5 + 2] = 200
    let writer = ImageWriter(height: 5, width: 5, channels: 1, layout: .nchw, mean: [0], std: [1], padding: 0)
    func render(_ draw: AugmentationDraw) -> [Float] {
      var output = [Float](repeating: 0, count: 25)
      source.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer {
          writer.writeAffine(input.baseAddress!, draw: draw, to: $0.baseAddress!)
        }
      }
      return output
    }
    var draw = AugmentationDraw()
    #expect(abs(render(draw)[12] - 200.0 / 255) < 1e-6)
    draw.shiftX = 1
    #expect(abs(render(draw)[13] - 200.0 / 255) < 1e-6)
    draw.shiftX = 0
    draw.angle = .pi / 2  // a quarter turn keeps the centre pixel in place
    #expect(abs(render(draw)[12] - 200.0 / 255) < 1e-6)
  }
}
