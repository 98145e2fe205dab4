import Foundation
import Hardware
import TestSupport

/// One entry of shared/reference/cost-golden.json.
struct GoldenCase: Decodable {
  /// The file's snake_case keys (c_in, o_x, …), decoded with `.convertFromSnakeCase`.
  struct Geometry: Decodable {
    let cIn: Int
    let cOut: Int
    let k: Int
    let oX: Int
    let oY: Int
  }
  let soc: String
  let unit: String
  let groups: Int
  let geometry: Geometry
  let channels: Double
  let cycles: Double

  var layerGeometry: LayerGeometry {
    LayerGeometry(
      cIn: geometry.cIn, cOut: geometry.cOut, kX: geometry.k, kY: geometry.k, oX: geometry.oX, oY: geometry.oY,
      groups: groups)
  }
}

/// The reference figures shipped beside the repository (shared/reference).
func loadGolden() throws -> [GoldenCase] {
  let decoder = JSONDecoder()
  decoder.keyDecodingStrategy = .convertFromSnakeCase
  return try decoder.decode([GoldenCase].self, from: Data(contentsOf: URL(fileURLWithPath: goldenCostPath)))
}

/// |a − b| within the reference's stated tolerance: relative 1e-5, absolute 1e-3 near 0.
func closeToReference(_ a: Double, _ b: Double) -> Bool {
  abs(a - b) <= max(1e-3, 1e-5 * abs(b))
}
