import Engine
import Foundation
import Hardware
import Models
import Search
import Support

/// `odimo audit --claims FILE.json`: accuracy-vs-cost claims made elsewhere (a paper's
/// table) re-costed with odimo's cost model, and re-evaluated where a run file backs an
/// accuracy. File layout: `datasets/FORMATS.md` ("Claims file").
package enum ClaimsAudit {
  /// One claimed point.
  package struct Claim: Decodable, Sendable {
    package var name: String
    package var soc: String
    package var model: String
    package var width: Double?
    package var stemStride: Int?
    /// Input resolution (pixels, square), channels and classes of the model (32, 3, 10).
    package var input: Int?
    package var channels: Int?
    package var classes: Int?
    /// A mapping name (`all-digital`, `dws`, …), a mapping file (.json) or a run file (.h5).
    package var mapping: String?
    /// Channels per unit of named layers (in the SoC's unit order), over `mapping` or,
    /// without it, over every other layer on the SoC's first unit that can run it.
    package var layerChannels: [String: [Int]]?
    package var latencyCycles: Double?
    package var searchableLatencyCycles: Double?
    package var energyUj: Double?
    /// Claimed test accuracy (0–1), checked by re-evaluating `run` (a run file).
    package var accuracy: Double?
    package var run: String?
    /// Relative tolerance of cost claims (default 0.001) and absolute tolerance of the
    /// accuracy (default 0.0005, i.e. 0.05 points).
    package var costTolerance: Double?
    package var accuracyTolerance: Double?
  }

  struct File: Decodable {
    var claims: [Claim]
  }

  /// Checks every claim of the file at `path`; relative paths in it resolve against its folder.
  package static func run(claims path: String, progress: (String) -> Void = { _ in }) throws -> Audit.Result {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ReportError.claimsFile(file: path, problem: "no such claims file")
    }
    let file: File
    do { file = try JSONDecoder.snakeCase.decode(File.self, from: data) } catch {
      throw ReportError.claimsFile(
        file: path, problem: "not a claims file (\(error)); see datasets/FORMATS.md, \"Claims file\"")
    }
    guard !file.claims.isEmpty else { throw ReportError.claimsFile(file: path, problem: "the file lists no claims") }
    let folder = (path as NSString).deletingLastPathComponent
    func resolve(_ name: String) -> String {
      name.hasPrefix("/") || folder.isEmpty || !name.contains(where: { $0 == "/" || $0 == "." })
        ? name : folder + "/" + name
    }
    var results: [Audit.Claim] = []
    for claim in file.claims {
      progress("re-costing \(claim.name)")
      results += check(claim, resolve: resolve)
    }
    return Audit.Result(claims: results)
  }

  static func check(_ claim: Claim, resolve: (String) -> String) -> [Audit.Claim] {
    var out: [Audit.Claim] = []
    func record(_ quantity: String, _ reported: String, _ verdict: Audit.Verdict) {
      out.append(
        .init(section: "claims", subject: claim.name, quantity: quantity, reported: reported, verdict: verdict))
    }
    let claimed: [(String, Double?)] = [
      ("latency (cycles)", claim.latencyCycles), ("searchable-layer latency (cycles)", claim.searchableLatencyCycles),
      ("energy (µJ)", claim.energyUj),
    ]
    do {
      let cost = try self.cost(claim, resolve: resolve)
      let recomputed: [String: Double?] = [
        "latency (cycles)": cost.latencyCycles, "searchable-layer latency (cycles)": cost.searchable.latencyCycles,
        "energy (µJ)": cost.energyMicrojoules,
      ]
      let tolerance = claim.costTolerance ?? 0.001
      for (quantity, value) in claimed {
        guard let value else { continue }
        guard let actual = recomputed[quantity] ?? nil else {
          record(quantity, "\(value)", .unverifiable(reason: "\(claim.soc) has no power figures"))
          continue
        }
        let relative = (actual - value) / max(abs(value), 1e-300)
        record(
          quantity, format(value),
          abs(relative) <= tolerance
            ? .confirmed
            : .differs(recomputed: format(actual), difference: String(format: "%+.2f %%", relative * 100)))
      }
    } catch {
      for (quantity, value) in claimed where value != nil {
        record(quantity, value.map(format) ?? "", .unverifiable(reason: "\(error)"))
      }
    }
    if let accuracy = claim.accuracy {
      let reported = Formatting.accuracy(accuracy)
      if let run = claim.run {
        do {
          let actual = try RunFile.read(resolve(run)).recomputedAccuracy()
          let tolerance = claim.accuracyTolerance ?? 0.0005
          record(
            "test accuracy (%)", reported,
            abs(actual - accuracy) <= tolerance
              ? .confirmed
              : .differs(
                recomputed: Formatting.accuracy(actual),
                difference: String(format: "%+.2f points", (actual - accuracy) * 100)))
        } catch {
          record("test accuracy (%)", reported, .unverifiable(reason: "\(error)"))
        }
      } else {
        record("test accuracy (%)", reported, .unverifiable(reason: "no run file backs it (give \"run\")"))
      }
    }
    return out
  }

  /// The cost report of the claim's network and mapping.
  static func cost(_ claim: Claim, resolve: (String) -> String) throws -> NetworkCostReport {
    let soc = try SoCCatalogue.soc(claim.soc.hasSuffix(".toml") ? resolve(claim.soc) : claim.soc)
    let architecture = try ModelZoo.make(
      claim.model, resolution: claim.input ?? 32, channels: claim.channels ?? 3, classes: claim.classes ?? 10,
      width: claim.width ?? 1, stemStride: claim.stemStride)
    var mapping: Mapping
    let plan: NetworkPlan
    if let name = claim.mapping, let strategy = MappingStrategy(name: name),
      !FileManager.default.fileExists(atPath: resolve(name))
    {
      plan = try NetworkPlan.forStrategy(strategy, architecture: architecture, soc: soc)
      mapping = try plan.mapping(strategy)
    } else if let name = claim.mapping {
      mapping = try Mapping.load(resolve(name))
      plan = try NetworkPlan(architecture: architecture, soc: soc, replaceBlocks: mapping.replacesBlocks)
    } else {
      plan = try NetworkPlan(architecture: architecture, soc: soc)
      mapping = try plan.mapping(.allOn(unit: soc.units[0].name))
    }
    for (layer, counts) in claim.layerChannels ?? [:] {
      guard let index = mapping.layers.firstIndex(where: { $0.name == layer }) else {
        throw ReportError.unknownLayer(
          claim: claim.name, layer: layer, model: claim.model, layers: mapping.layers.map(\.name))
      }
      guard counts.count == soc.units.count, counts.allSatisfy({ $0 >= 0 }),
        counts.reduce(0, +) == mapping.layers[index].units.count
      else {
        throw ReportError.badChannelCounts(
          claim: claim.name, layer: layer, units: soc.units.map(\.name), channels: mapping.layers[index].units.count,
          got: counts)
      }
      let order = mapping.units.indices.map { index in
        soc.units.firstIndex { $0.name == mapping.units[index] } ?? index
      }
      mapping.layers[index] = LayerAssignment(
        name: layer, counts: order.map { counts[$0] }, units: Array(mapping.units.indices))
    }
    mapping.name = claim.name
    return try plan.cost(of: mapping)
  }

  static func format(_ value: Double) -> String {
    value.rounded() == value && abs(value) < 1e15 ? Formatting.cycles(value) : String(format: "%.4g", value)
  }
}
