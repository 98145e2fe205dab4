import Foundation
import Hardware
import TestSupport

/// One entry of shared/reference/cost-golden.json.
struct GoldenCase: Decodable {
  struct Geometry: Decodable {
    let c_in: Int
    let c_out: Int
    let k: Int
    let o_x: Int
    let o_y: Int
  }
  let soc: String
  let unit: String
  let groups: Int
  let geometry: Geometry
  let channels: Double
  let cycles: Double

  var layerGeometry: LayerGeometry {
    LayerGeometry(
      cIn: geometry.c_in, cOut: geometry.c_out, kX: geometry.k, kY: geometry.k, oX: geometry.o_x, oY: geometry.o_y,
      groups: groups)
  }
}

/// The reference figures shipped beside the repository (shared/reference).
func loadGolden() throws -> [GoldenCase] {
  try JSONDecoder().decode([GoldenCase].self, from: Data(contentsOf: URL(fileURLWithPath: goldenCostPath)))
}

/// |a − b| within the reference's stated tolerance: relative 1e-5, absolute 1e-3 near 0.
func closeToReference(_ a: Double, _ b: Double) -> Bool {
  abs(a - b) <= max(1e-3, 1e-5 * abs(b))
}
