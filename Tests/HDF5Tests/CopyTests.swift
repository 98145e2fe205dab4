import HDF5
import TestSupport
import Testing

@Suite struct CopyTests {
  let scratch = ScratchFolder()

  /// A whole file nested into a group of another keeps its datasets, groups and
  /// attributes (the root's become the group's); a taken destination is refused.
  @Test func aWholeFileNestsIntoAGroup() throws {
    let source = try HDF5File.create(scratch.file("run.h5"))
    try source.setAttribute("kind", .string("searched"))
    try source.write([Float(1), 2, 3], to: "weights/a", options: .archived())
    try source.setAttribute("unit", .string("digital"), at: "weights/a")
    try source.write([Int64(4)], to: "trace/epoch")
    let bundle = try HDF5File.create(scratch.file("bundle.h5"))
    try bundle.copy("/", from: source, to: "runs/0")
    try bundle.copy("weights/a", from: source, to: "just/a")
    source.close()
    #expect(try bundle.attribute("kind", at: "runs/0") == .string("searched"))
    #expect(try bundle.read("runs/0/weights/a", as: Float.self) == [1, 2, 3])
    #expect(try bundle.attribute("unit", at: "runs/0/weights/a") == .string("digital"))
    #expect(try bundle.read("runs/0/trace/epoch", as: Int64.self) == [4])
    #expect(try bundle.read("just/a", as: Float.self) == [1, 2, 3])
    let taken = try #require(throws: HDF5Error.self) { try bundle.copy("/", from: bundle, to: "runs/0") }
    #expect(taken.kind == .alreadyExists)
  }
}
