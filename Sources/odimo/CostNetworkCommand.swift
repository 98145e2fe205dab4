import ArgumentParser
import Engine
import Foundation
import Hardware
import Models

struct CostNetwork: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "network",
    abstract: "Per-layer and total latency and energy of a model under a mapping.",
    discussion: """
      MAPPING is a name — all-<unit> (every layer that unit can run entirely on it), \
      balanced (per layer the latency-minimising split), min-latency-max8bit (the same, \
      ties toward the highest-precision unit: DIANA's heuristic), dws (MobileNetV1's own \
      depthwise-separable layout) — or a mapping file (.json) or run file (.h5) written \
      by odimo search.

      Figures are exact: the slowest unit sets a layer's latency, an idle unit costs \
      nothing, every weight layer is costed. The "reference" figures are what the \
      published ODiMO code reports for the same mapping (only splittable layers, a \
      softmax over raw cycles instead of the max, formulas charged at zero channels).

      Example: odimo cost network --soc diana --model resnet20 --mapping all-digital
      """
  )

  @Option(help: "SoC: diana, darkside, naive, a shipped .toml name, or a description file.") var soc: String
  @Option(help: "Model: resnet8, resnet20, resnet18, resnet18-imagenet, mobilenetv1.") var model: String
  @Option(help: "Input resolution in pixels (square).") var input = 32
  @Option(help: "Input channels.") var channels = 3
  @Option(help: "Classes of the classifier.") var classes = 10
  @Option(help: "Width multiplier (MobileNetV1).") var width = 1.0
  @Option(help: "MobileNetV1's first-layer stride (the reference's Darkside network: 2 at 32×32).") var stemStride: Int?
  @Option(help: "Mapping name or file (see above).") var mapping: String
  @Flag(help: "Print JSON with latency_cycles, latency_ms, energy_uj and layers.") var json = false

  func run() throws {
    try reportingErrors {
      let socValue = try SoCCatalogue.soc(soc)
      let architecture = try ModelZoo.make(
        model, resolution: input, channels: channels, classes: classes, width: width, stemStride: stemStride)
      let plan: NetworkPlan
      let chosen: Mapping
      if let strategy = MappingStrategy(name: mapping), !FileManager.default.fileExists(atPath: mapping) {
        plan = try NetworkPlan.forStrategy(strategy, architecture: architecture, soc: socValue)
        chosen = try plan.mapping(strategy)
      } else if FileManager.default.fileExists(atPath: mapping) {
        chosen = try Mapping.load(mapping)
        plan = try NetworkPlan(architecture: architecture, soc: socValue, replaceBlocks: chosen.replacesBlocks)
      } else {
        throw InputError(
          "mapping '\(mapping)' is neither a mapping name ("
            + MappingStrategy.names(for: socValue, hasReplaceableBlocks: !architecture.replaceableBlocks.isEmpty)
            .joined(separator: ", ") + ") nor an existing file")
      }
      let report = try plan.cost(of: chosen)
      if json {
        try printJSON(NetworkCostJSON(report))
      } else {
        printTable(report, soc: socValue)
      }
    }
  }

  private func printTable(_ report: NetworkCostReport, soc: SoC) {
    let unitNames = soc.units.map(\.name)
    print("\(report.model) on \(soc.name) (\(soc.summary)), mapping \(report.mapping)")
    var header = pad("layer", 24) + pad("geometry", 32)
    for name in unitNames { header += pad("ch:\(name)", 12, right: true) + pad("cycles:\(name)", 16, right: true) }
    print(header + pad("latency cyc", 14, right: true) + pad("energy µJ", 12, right: true))
    for layer in report.layers {
      var line = pad(layer.name, 24) + pad(layer.units.first?.geometry.description ?? "", 32)
      for name in unitNames {
        let share = layer.units.first { $0.unit == name }
        line += pad(share.map { String($0.channels) } ?? "-", 12, right: true)
        line += pad(share.map { String(format: "%.1f", $0.cycles) } ?? "-", 16, right: true)
      }
      line += pad(String(format: "%.1f", layer.latencyCycles), 14, right: true)
      print(line + pad(format(layer.energyMicrojoules), 12, right: true))
    }
    print(
      String(
        format: "total: %.0f cycles = %.4f ms at %.0f MHz", report.latencyCycles, report.latencyMilliseconds,
        report.clockHz / 1e6)
        + ", energy \(format(report.energyMicrojoules)) µJ")
    print(
      String(format: "searchable layers (%d): %.0f cycles", report.searchable.layers, report.searchable.latencyCycles)
        + ", energy \(format(report.searchable.energyMicrojoules)) µJ (the figure the ODiMO paper quotes)")
    if report.reference.splittableLayers > 0 {
      print(
        String(format: "reference-compatible: %.0f cycles", report.reference.latencyCycles)
          + ", energy \(format(report.reference.energyMicrojoules)) µJ "
          + "(\(report.reference.splittableLayers) splittable layers only, softmax-smoothed)")
    } else {
      print("reference-compatible: n/a (no splittable layer in this layout)")
    }
  }

  private func format(_ value: Double?) -> String { value.map { String(format: "%.4f", $0) } ?? "n/a" }
}

/// The JSON form of `odimo cost network`.
struct NetworkCostJSON: Encodable {
  struct Unit: Encodable {
    let unit: String
    let channels: Int
    let cycles: Double
    let geometry: LayerGeometry
  }
  struct Layer: Encodable {
    let name: String
    let outChannels: Int
    let units: [Unit]
    let latencyCycles: Double
    let energyUj: Double?
  }
  struct Searchable: Encodable {
    let layers: Int
    let latencyCycles: Double
    let latencyMs: Double
    let energyUj: Double?
  }
  struct Reference: Encodable {
    let splittableLayers: Int
    let latencyCycles: Double
    let latencyMs: Double
    let energyUj: Double?
  }
  let soc: String
  let model: String
  let mapping: String
  let clockHz: Double
  let latencyCycles: Double
  let latencyMs: Double
  let energyUj: Double?
  let reference: Reference
  /// The searchable layers' subtotal (the paper's convention).
  let searchable: Searchable
  let layers: [Layer]

  init(_ report: NetworkCostReport) {
    soc = report.soc
    model = report.model
    mapping = report.mapping
    clockHz = report.clockHz
    latencyCycles = report.latencyCycles
    latencyMs = report.latencyMilliseconds
    energyUj = report.energyMicrojoules
    reference = Reference(
      splittableLayers: report.reference.splittableLayers, latencyCycles: report.reference.latencyCycles,
      latencyMs: report.reference.latencyCycles / report.clockHz * 1e3,
      energyUj: report.reference.energyMicrojoules)
    searchable = Searchable(
      layers: report.searchable.layers, latencyCycles: report.searchable.latencyCycles,
      latencyMs: report.searchable.latencyCycles / report.clockHz * 1e3, energyUj: report.searchable.energyMicrojoules)
    layers = report.layers.map { layer in
      Layer(
        name: layer.name, outChannels: layer.outChannels,
        units: layer.units.map { Unit(unit: $0.unit, channels: $0.channels, cycles: $0.cycles, geometry: $0.geometry) },
        latencyCycles: layer.latencyCycles, energyUj: layer.energyMicrojoules)
    }
  }
}

/// Pads (or truncates) `text` to `width` columns, left- or right-aligned, plus one space.
func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
  let cut = text.count > width ? String(text.prefix(width - 1)) + "…" : text
  let fill = String(repeating: " ", count: width - cut.count)
  return (right ? fill + cut : cut + fill) + " "
}
