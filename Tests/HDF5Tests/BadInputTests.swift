import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct BadInputTests {
  let scratch = ScratchFolder()

  private func writeSample(_ path: String) throws {
    let file = try HDF5File.create(path)
    try file.write((0..<4096).map { Float($0) }, to: "data/x", shape: [64, 64], options: .archived())
    file.close()
  }

  @Test func notAnHDF5File() throws {
    let path = scratch.file("text.h5")
    try "just text\n".write(toFile: path, atomically: true, encoding: .utf8)
    let error = try #require(throws: HDF5Error.self) { try HDF5File.open(path) }
    #expect(error.kind == .notHDF5)
    #expect(error.description.contains(path))
  }

  /// A FIFO where a file should be is refused at once instead of blocking the reader.
  @Test func aFIFOIsNotOpened() throws {
    let path = scratch.file("pipe.h5")
    #expect(mkfifo(path, 0o644) == 0)
    let error = try #require(throws: HDF5Error.self) { try HDF5File.open(path) }
    #expect(error.kind == .cannotOpen && error.description.contains("regular file"))
  }

  @Test func missingFile() throws {
    let error = try #require(throws: HDF5Error.self) { try HDF5File.open(scratch.file("absent.h5")) }
    #expect(error.kind == .cannotOpen)
    #expect(error.description.contains("absent.h5"))
  }

  @Test func truncatedFile() throws {
    let path = scratch.file("whole.h5")
    try writeSample(path)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let cut = scratch.file("cut.h5")
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: cut))
    let error = try #require(throws: HDF5Error.self) {
      let file = try HDF5File.open(cut)
      _ = try file.read("data/x", as: Float.self)
    }
    #expect(error.description.contains("cut.h5"))
    #expect(error.kind == .cannotOpen || error.kind == .readFailed)
  }

  @Test func corruptChunkIsCaughtByChecksum() throws {
    let path = scratch.file("corrupt.h5")
    let file = try HDF5File.create(path)
    try file.write(
      [UInt8](repeating: 7, count: 4096), to: "raw", shape: [4096],
      options: DatasetOptions(chunks: [4096], fletcher32: true))
    file.close()
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let run = [UInt8](repeating: 7, count: 64)
    let start = try #require(bytes.firstRange(of: Data(run))?.lowerBound)
    bytes[start + 10] = 8
    try bytes.write(to: URL(fileURLWithPath: path))
    let error = try #require(throws: HDF5Error.self) { try HDF5File.open(path).read("raw", as: UInt8.self) }
    #expect(error.kind == .readFailed)
    #expect(error.path == "/raw")
  }

  @Test func missingPathWrongTypeWrongShape() throws {
    let path = scratch.file("s.h5")
    try writeSample(path)
    let file = try HDF5File.open(path)
    let missing = try #require(throws: HDF5Error.self) { try file.dataset("data/y") }
    #expect(missing.kind == .notFound && missing.path == "/data/y" && missing.file == path)
    let wrongType = try #require(throws: HDF5Error.self) { try file.read("data/x", as: Int32.self) }
    #expect(wrongType.kind == .typeMismatch)
    #expect(wrongType.description.contains("float32") && wrongType.description.contains("int32"))
    let wrongShape = try #require(throws: HDF5Error.self) {
      try file.dataset("data/x").read(as: Float.self, expectingShape: [32, 64])
    }
    #expect(wrongShape.kind == .shapeMismatch)
    let outOfRange = try #require(throws: HDF5Error.self) {
      try file.dataset("data/x").readRows(60..<70, as: Float.self)
    }
    #expect(outOfRange.kind == .shapeMismatch)
    let group = try #require(throws: HDF5Error.self) { try file.dataset("data") }
    #expect(group.kind == .typeMismatch)
    let readOnly = try #require(throws: HDF5Error.self) { try file.createGroup("new") }
    #expect(readOnly.kind == .invalidArgument)
  }

  @Test func writeOfWrongCountIsRefused() throws {
    let file = try HDF5File.create(scratch.file("w.h5"))
    let dataset = try file.createDataset("d", type: .float32, shape: [2, 3])
    #expect(throws: HDF5Error.self) { try dataset.write([Float](repeating: 0, count: 5)) }
    #expect(throws: HDF5Error.self) { try dataset.writeRows(at: 1, [Float](repeating: 0, count: 4)) }
    #expect(throws: HDF5Error.self) { try file.createDataset("d", type: .float32, shape: [1]) }
  }
}
