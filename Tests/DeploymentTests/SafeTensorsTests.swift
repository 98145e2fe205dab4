import Foundation
import Testing

@testable import Deployment

/// The safetensors layout, checked byte by byte against its definition (an 8-byte
/// little-endian header length, a JSON header padded to 8 bytes, contiguous data).
@Suite struct SafeTensorsTests {
  @Test func layoutFollowsTheFormat() throws {
    var tensors = SafeTensors()
    tensors.add("b.weight", [1, -2, 3.5, 4, 5, 6], shape: [2, 3])
    tensors.add("a.count", [Int64(7)], shape: [])
    tensors.add("c.bias", [0.25], shape: [1])
    tensors.metadata = ["odimo.soc": "diana"]
    let data = try tensors.data()
    let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
    #expect(length % 8 == 0)
    let header = try #require(
      try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any])
    let body = data.subdata(in: (8 + length)..<data.count)
    #expect((header["__metadata__"] as? [String: String]) == ["odimo.soc": "diana"])
    // Tensors follow in sorted name order, back to back, covering the body exactly.
    var expectedStart = 0
    for (name, dtype, shape, bytes) in [
      ("a.count", "I64", [Int](), 8), ("b.weight", "F32", [2, 3], 24), ("c.bias", "F32", [1], 4),
    ] {
      let entry = try #require(header[name] as? [String: Any], "\(name)")
      #expect(entry["dtype"] as? String == dtype && entry["shape"] as? [Int] == shape)
      #expect(entry["data_offsets"] as? [Int] == [expectedStart, expectedStart + bytes], "\(name)")
      expectedStart += bytes
    }
    #expect(expectedStart == body.count)
    let weights = body.subdata(in: 8..<32).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    #expect(weights == [1, -2, 3.5, 4, 5, 6])
  }
}
