import HDF5
import TestSupport
import Testing

@Suite struct AttributeTests {
  let scratch = ScratchFolder()

  @Test func everyAttributeKindRoundTrips() throws {
    let path = scratch.file("a.h5")
    let values: [String: AttributeValue] = [
      "int": .int(-42),
      "ints": .ints([1, 2, Int64.max]),
      "double": .double(0.1),
      "doubles": .doubles([1.5, -2.25, .infinity]),
      "string": .string("héllo ✓"),
      "strings": .strings(["airplane", "automobile", ""]),
      "empty": .ints([]),
    ]
    let file = try HDF5File.create(path)
    try file.write([Float(1)], to: "g/d")
    for (name, value) in values {
      try file.setAttribute(name, value)
      try file.setAttribute(name, value, at: "g/d")
    }
    try file.setAttribute("int", .int(7))  // replace
    file.close()
    let reopened = try HDF5File.open(path)
    for (name, value) in values where name != "int" {
      #expect(try reopened.attribute(name) == value)
      #expect(try reopened.attribute(name, at: "/g/d") == value)
    }
    #expect(try reopened.attribute("int") == .int(7))
    #expect(try reopened.attributeNames() == values.keys.sorted())
    let missing = try #require(throws: HDF5Error.self) { try reopened.attribute("nope", at: "g") }
    #expect(missing.kind == .notFound)
    #expect(missing.description.contains("nope"))
  }

  @Test func accessorsWidenAndNarrow() {
    #expect(AttributeValue.int(3).doubleValue == 3)
    #expect(AttributeValue.ints([1, 2]).doublesValue == [1, 2])
    #expect(AttributeValue.string("x").stringsValue == ["x"])
    #expect(AttributeValue.double(1).intValue == nil)
  }
}
