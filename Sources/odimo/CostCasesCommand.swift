import ArgumentParser
import Foundation
import Hardware

struct CostCases: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "cases",
    abstract: "Cycles of single units for a JSON list of layer slices.",
    discussion: """
      FILE is a JSON array of queries, each {"soc", "unit", "groups", "geometry": {"c_in", \
      "c_out", "k", "o_x", "o_y"}, "channels"} — the schema of the reference figures in \
      shared/reference/cost-golden.json. A "cycles" field, if present, is ignored. The \
      output is the same array, in order, with "cycles" filled in (SoC-clock cycles, \
      exact, as the reference computes them). "soc" may name a .toml description.

      Example: odimo cost cases queries.json --json
      """
  )

  @Argument(help: "JSON file of queries.") var file: String
  @Flag(help: "Print the completed JSON array (default: a table).") var json = false

  struct Query: Codable {
    struct Geometry: Codable {
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
    var cycles: Double?
  }

  func run() throws {
    try reportingErrors {
      guard let data = FileManager.default.contents(atPath: file) else {
        throw InputError("\(file): cannot read the file")
      }
      var queries: [Query]
      do {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        queries = try decoder.decode([Query].self, from: data)
      } catch {
        throw InputError("\(file): expected a JSON array of cost queries: \(describe(error))")
      }
      var socs: [String: SoC] = [:]
      for index in queries.indices {
        let query = queries[index]
        let soc = try socs[query.soc] ?? SoCCatalogue.soc(query.soc)
        socs[query.soc] = soc
        guard let unit = soc.units.first(where: { $0.name == query.unit }) else {
          throw InputError(
            "\(file): query \(index): SoC \(soc.name) has no unit '\(query.unit)' (units: \(soc.units.map(\.name).joined(separator: ", ")))"
          )
        }
        let g = query.geometry
        let limit = LayerGeometry.maximumExtent
        guard [g.cIn, g.cOut, g.k, g.oX, g.oY, query.groups].allSatisfy({ (1...limit).contains($0) }),
          query.channels >= 0, query.channels <= Double(g.cOut)
        else {
          throw InputError(
            "\(file): query \(index): sizes must be 1…\(limit) and 0 ≤ channels ≤ c_out (got c_in \(g.cIn), c_out "
              + "\(g.cOut), k \(g.k), o_x \(g.oX), o_y \(g.oY), groups \(query.groups), channels \(query.channels))")
        }
        let geometry = LayerGeometry(
          cIn: g.cIn, cOut: g.cOut, kX: g.k, kY: g.k, oX: g.oX, oY: g.oY, groups: query.groups)
        guard unit.runs(geometry) else {
          throw InputError("\(file): query \(index): unit \(unit.name) of \(soc.name) cannot run \(geometry)")
        }
        queries[index].cycles =
          unit.cycles.evaluate(geometry, channels: Dual(query.channels), convention: .reference).value
          * (soc.clockHz / unit.clockHz)
      }
      if json {
        try printJSON(queries)
      } else {
        print("soc        unit      groups  c_in  c_out  k  o_x  o_y  channels        cycles")
        for q in queries {
          print(
            String(
              format: "%-10@ %-9@ %6d %5d %6d %2d %4d %4d %9g %13.3f", q.soc as NSString, q.unit as NSString, q.groups,
              q.geometry.cIn, q.geometry.cOut, q.geometry.k, q.geometry.oX, q.geometry.oY, q.channels, q.cycles ?? 0
            ))
        }
      }
    }
  }
}

/// A decoding error as one readable sentence naming the offending field.
func describe(_ error: any Error) -> String {
  guard let error = error as? DecodingError else { return String(describing: error) }
  func path(_ keys: [any CodingKey]) -> String {
    keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
  }
  switch error {
  case .keyNotFound(let key, let context): return "missing \"\(key.stringValue)\" at \(path(context.codingPath))"
  case .typeMismatch(let type, let context): return "\(path(context.codingPath)) should be \(type)"
  case .valueNotFound(let type, let context): return "\(path(context.codingPath)) should be \(type), found null"
  case .dataCorrupted(let context): return "\(path(context.codingPath)): \(context.debugDescription)"
  @unknown default: return String(describing: error)
  }
}
