import Foundation
import HDF5
import TestSupport
import Testing

@testable import Datasets

@Suite struct ImageNetImportTests {
  let scratch = ScratchFolder()

  @Test func foldersAreDecodedResizedAndLabelled() throws {
    let root = scratch.file("ilsvrc")
    for split in ["train", "val"] {
      for wnid in ["n01440764", "n01443537"] {
        try FileManager.default.createDirectory(atPath: "\(root)/\(split)/\(wnid)", withIntermediateDirectories: true)
      }
    }
    // Class 0: uniform JPEGs (any resize keeps a uniform colour); class 1: PNGs, left
    // half black and right half white, wider than tall (the centre crop keeps both halves).
    for index in 0..<3 {
      try ImageFixtures.jpeg(width: 40 + index * 8, height: 30) { _, _ in (200, 100, 50) }
        .write(to: URL(fileURLWithPath: "\(root)/train/n01440764/img\(index).JPEG"))
      try ImageFixtures.png(width: 48, height: 24) { x, _ in x < 24 ? (0, 0, 0) : (255, 255, 255) }
        .write(to: URL(fileURLWithPath: "\(root)/train/n01443537/img\(index).png"))
    }
    try ImageFixtures.jpeg(width: 16, height: 16) { _, _ in (200, 100, 50) }
      .write(to: URL(fileURLWithPath: "\(root)/val/n01440764/v.JPEG"))
    try ImageFixtures.png(width: 12, height: 12) { _, _ in (10, 20, 30) }
      .write(to: URL(fileURLWithPath: "\(root)/val/n01443537/v.png"))
    let synsets = scratch.file("synset_words.txt")
    try "n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n".write(
      toFile: synsets, atomically: true, encoding: .utf8)
    let output = scratch.file("inet.h5")
    try DatasetImporter.run(
      .imagenet, source: root, options: ImportOptions(output: output, validationFraction: 0), resolution: 8,
      synsets: synsets)

    let dataset = try DatasetFile(path: output)
    #expect(dataset.classNames == ["tench, Tinca tinca", "goldfish, Carassius auratus"])
    #expect(dataset.splits.map(\.name) == ["train", "test"])
    let file = try HDF5File.open(output)
    #expect(try file.dataset("train/images").shape == [6, 8, 8, 3])
    #expect(try file.read("train/labels", as: Int64.self) == [0, 0, 0, 1, 1, 1])
    let pixels = try file.read("train/images", as: UInt8.self)
    for value in pixels[0..<(3 * 192)].enumerated() {
      let expected: [UInt8] = [200, 100, 50]
      #expect(abs(Int(value.element) - Int(expected[value.offset % 3])) <= 2)
    }
    // The PNG: columns 0–2 black, 5–7 white; the two middle columns blend (anti-aliasing).
    let png = Array(pixels[(3 * 192)..<(4 * 192)])
    for y in 0..<8 {
      #expect(png[(y * 8 + 0) * 3] == 0 && png[(y * 8 + 2) * 3] == 0)
      #expect(png[(y * 8 + 5) * 3] == 255 && png[(y * 8 + 7) * 3] == 255)
      #expect(png[(y * 8 + 3) * 3] > 0 && png[(y * 8 + 4) * 3] < 255)
    }
    #expect(try file.read("test/images", as: UInt8.self).suffix(3) == [10, 20, 30])
    #expect(dataset.source.contains("png") && dataset.source.split(separator: "\n").count == 9)
  }

  @Test func resamplerAveragesWhenShrinking() {
    // A 1-pixel checkerboard shrunk 4× must come out mid-grey, not aliased black or white.
    let board = RGBImage(
      width: 32, height: 32,
      pixels: ImageFixtures.rgb(width: 32, height: 32) { x, y in (x + y) % 2 == 0 ? (0, 0, 0) : (255, 255, 255) })
    let small = Resampler.shorterSideThenCenterCrop(board, size: 8)
    #expect(small.allSatisfy { abs(Int($0) - 128) <= 10 })
  }
}
