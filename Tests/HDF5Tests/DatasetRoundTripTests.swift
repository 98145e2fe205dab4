import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct DatasetRoundTripTests {
  let scratch = ScratchFolder()

  static let shapes: [[Int]] = [[7], [3, 5], [2, 3, 4], [2, 2, 3, 5]]
  static let optionSets: [DatasetOptions] = [.contiguous, .archived(), DatasetOptions(chunks: nil, gzipLevel: 9)]

  private func roundTrip<T: HDF5Element & Equatable>(_ make: (Int) -> T) throws {
    for (optionIndex, options) in Self.optionSets.enumerated() {
      let path = scratch.file("\(T.elementType)-\(optionIndex).h5")
      let file = try HDF5File.create(path)
      var expected: [String: [T]] = [:]
      for shape in Self.shapes {
        let values = (0..<shape.reduce(1, *)).map(make)
        let name = "/o\(optionIndex)/rank\(shape.count)"
        try file.write(values, to: name, shape: shape, options: options)
        expected[name] = values
      }
      file.close()
      let reopened = try HDF5File.open(path)
      for shape in Self.shapes {
        let name = "/o\(optionIndex)/rank\(shape.count)"
        let dataset = try reopened.dataset(name)
        #expect(dataset.shape == shape)
        #expect(dataset.elementType == T.elementType)
        #expect(try dataset.read(as: T.self) == expected[name])
        #expect((dataset.chunkShape != nil) == options.needsChunksForTest)
      }
    }
  }

  @Test func everyElementTypeAndRankRoundTrips() throws {
    try roundTrip { UInt8(truncatingIfNeeded: $0 * 37) }
    try roundTrip { Int32($0) * -1_000_003 }
    try roundTrip { Int64($0) << 40 - 5 }
    try roundTrip { Float($0) * 0.25 - 3 }
    try roundTrip { Double($0) * 1e-300 + .pi }
  }

  @Test func filtersAreRecordedInOrder() throws {
    let file = try HDF5File.create(scratch.file("f.h5"))
    let dataset = try file.write([Float](repeating: 1, count: 100), to: "x", shape: [10, 10], options: .archived())
    #expect(dataset.filters == ["shuffle", "gzip(4)", "fletcher32"])
    #expect(dataset.chunkShape == [10, 10])
  }

  @Test func hyperslabRowsReadAndWrite() throws {
    let file = try HDF5File.create(scratch.file("rows.h5"))
    let dataset = try file.createDataset(
      "images", type: .uint8, shape: [10, 2, 3], options: .archived(chunks: [1, 2, 3]))
    for row in 0..<10 {
      try dataset.writeRows(at: row, [UInt8](repeating: UInt8(row), count: 6))
    }
    let middle: [UInt8] = try dataset.readRows(3..<6)
    #expect(
      middle == [UInt8](repeating: 3, count: 6) + [UInt8](repeating: 4, count: 6) + [UInt8](repeating: 5, count: 6))
    try dataset.writeRows(at: 8, [UInt8](repeating: 99, count: 12))
    let all: [UInt8] = try dataset.read()
    #expect(Array(all[48...]) == [UInt8](repeating: 99, count: 12))
    var buffer = [UInt8](repeating: 0, count: 6)
    try buffer.withUnsafeMutableBufferPointer { try dataset.readRows(9..<10, into: $0) }
    #expect(buffer == [UInt8](repeating: 99, count: 6))
  }

  @Test func extendableDatasetGrowsAlongFirstAxis() throws {
    let path = scratch.file("trace.h5")
    let file = try HDF5File.create(path)
    let trace = try file.createDataset(
      "trace/loss", type: .float64, shape: [0, 2], options: .archived(extendable: true))
    try trace.append([1.0, 2.0])
    try trace.append([3.0, 4.0, 5.0, 6.0])
    #expect(trace.shape == [3, 2])
    #expect(trace.maxShape.first == .some(nil))
    file.close()
    let reopened = try HDF5File.open(path, writable: true)
    let again = try reopened.dataset("trace/loss")
    try again.append([7.0, 8.0])
    #expect(try again.read(as: Double.self) == [1, 2, 3, 4, 5, 6, 7, 8])
    let fixed = try reopened.write([1, 2, 3] as [Int32], to: "fixed")
    #expect(throws: HDF5Error.self) { try fixed.append([4] as [Int32]) }
  }

  @Test func groupsNestAndList() throws {
    let file = try HDF5File.create(scratch.file("g.h5"))
    try file.createGroup("a/b/c")
    try file.createGroup("a/x")
    try file.write([1] as [Int64], to: "a/b/data")
    #expect(try file.children(of: "/") == ["a"])
    #expect(try file.children(of: "a") == ["b", "x"])
    #expect(try file.children(of: "/a/b") == ["c", "data"])
    #expect(try file.kind(of: "a/b/data") == .dataset)
    #expect(try file.kind(of: "a/b/c") == .group)
    #expect(file.contains("a/b/c"))
    #expect(!file.contains("a/nope/c"))
    try file.createGroup("a/b")  // existing group: no error
    try file.remove("a/x")
    #expect(try file.children(of: "a") == ["b"])
  }

  @Test func closingInvalidatesOpenObjects() throws {
    let file = try HDF5File.create(scratch.file("c.h5"))
    let dataset = try file.write([1, 2] as [Int32], to: "d")
    file.close()
    #expect(!file.isOpen)
    let error = try #require(throws: HDF5Error.self) { try dataset.read(as: Int32.self) }
    #expect(error.kind == .closed)
    file.close()  // idempotent
  }
}

extension DatasetOptions {
  var needsChunksForTest: Bool { chunks != nil || gzipLevel != nil || shuffle || fletcher32 || extendable }
}

/// Whole-chunk reads of gzip datasets bypass HDF5's filter pipeline (ChunkReader);
/// they must return exactly what HDF5's own path returns.
@Suite struct ChunkFastPathTests {
  let scratch = ScratchFolder()

  @Test func multiByteShuffledChunksWithPartialLastChunk() throws {
    let path = scratch.file("fast.h5")
    let file = try HDF5File.create(path)
    let values = (0..<50).map { Float($0) * 1.5 - 7 }
    try file.write(values, to: "f", shape: [10, 5], options: .archived(chunks: [4, 5]))
    let odd = (0..<27).map { UInt8($0 * 9 % 256) }
    try file.write(odd, to: "odd", shape: [3, 3, 3], options: .archived(chunks: [1, 3, 3]))
    let plainGzip = (0..<40).map { Int64($0) << 33 }
    try file.write(plainGzip, to: "g", shape: [8, 5], options: DatasetOptions(chunks: [3, 5], gzipLevel: 1))
    file.close()
    let reader = try HDF5File.open(path)
    let f = try reader.dataset("f")
    #expect(try f.readRows(0..<4, as: Float.self) == Array(values[0..<20]))
    #expect(try f.readRows(4..<10, as: Float.self) == Array(values[20..<50]))
    #expect(try f.readRows(8..<10, as: Float.self) == Array(values[40..<50]))
    #expect(try f.readRows(1..<3, as: Float.self) == Array(values[5..<15]))  // unaligned: HDF5 path
    #expect(try reader.dataset("odd").readRows(1..<3, as: UInt8.self) == Array(odd[9..<27]))
    #expect(try reader.dataset("g").readRows(0..<8, as: Int64.self) == plainGzip)
    #expect(try reader.dataset("g").readRows(3..<6, as: Int64.self) == Array(plainGzip[15..<30]))
  }
}
