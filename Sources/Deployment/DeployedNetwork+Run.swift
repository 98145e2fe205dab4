import Engine
import Foundation
import Hardware
import Models
import Search
import Support

extension DeployedNetwork {
  /// A search run, sweep point or baseline: the supernet with the stored mapping frozen.
  package init(run path: String, producer version: String) throws {
    let run = try RunFile.read(path)
    let (network, supernet) = try run.deployedNetwork()
    let soc = try run.soc()
    var (channelUnits, planLayer) = try Self.unitsPerChannel(run, supernet: supernet, soc: soc)
    let blocks = Self.alternativeBlocks(
      supernet, snapshot: network.snapshot(), channelUnits: &channelUnits, planLayer: &planLayer)
    self.init(
      source: path, dataset: run.configuration.data, network: network,
      units: soc.units.map { Unit(name: $0.name, weightFormat: $0.weightFormat.description) },
      channelUnits: channelUnits, planLayer: planLayer, blocks: blocks,
      metadata: try Self.metadata(of: run, soc: soc, cost: try supernet.plan.cost(of: run.mapping), version: version))
  }

  /// Per weight layer of the supernet, the SoC unit of every output channel (from the run's
  /// mapping), and the cost model's layer it belongs to.
  static func unitsPerChannel(_ run: RunFile, supernet: Supernet, soc: SoC) throws -> (
    [String: [Int]], [String: String]
  ) {
    let mapping = run.mapping
    let unitIndex = Dictionary(uniqueKeysWithValues: soc.units.enumerated().map { ($1.name, $0) })
    let weightLayers = Set(supernet.architecture.weightLayers.map(\.name))
    var channelUnits: [String: [Int]] = [:]
    var planLayer: [String: String] = [:]
    for layer in supernet.plan.layers {
      guard let assignment = mapping.layer(layer.name) else {
        throw ExportError.mappingLacksLayer(file: run.path, layer: layer.name)
      }
      let perChannel = try assignment.units.map { position -> Int in
        guard position < mapping.units.count, let unit = unitIndex[mapping.units[position]] else {
          throw ExportError.unknownUnit(file: run.path, layer: layer.name, soc: soc.name)
        }
        return unit
      }
      for name in layer.modelLayers where weightLayers.contains(name) {
        channelUnits[name] = perChannel
        planLayer[name] = layer.name
      }
    }
    return (channelUnits, planLayer)
  }

  /// The supernet's alternative-operator blocks with each branch's channels (its mask's
  /// non-zero entries, read from `snapshot`); every branch's layers get its unit.
  static func alternativeBlocks(
    _ supernet: Supernet, snapshot: [String: [Float]], channelUnits: inout [String: [Int]],
    planLayer: inout [String: String]
  ) -> [AlternativeBlock] {
    var blocks: [AlternativeBlock] = []
    let names = supernet.architecture.layers.map(\.name)
    for searchable in supernet.searchable {
      guard case .alternativeOperators(let masks) = searchable.kind else { continue }
      let options = supernet.plan.layers[searchable.planIndex].options
      var branches: [Branch] = []
      for (position, mask) in masks.enumerated() {
        let branch = String(mask.dropLast(".mask".count))
        let layers = names.filter { ($0 == branch || $0.hasPrefix(branch + ".")) && $0 != mask }
        let values = snapshot["\(mask).mask"] ?? []
        let channels = values.indices.filter { values[$0] != 0 }
        branches.append(Branch(layers: layers, mask: mask, unit: options[position].unit, channels: channels))
        channelUnits[branch] = [Int](repeating: options[position].unit, count: searchable.outChannels)
        planLayer[branch] = searchable.name
      }
      blocks.append(AlternativeBlock(sum: "\(searchable.name).add", branches: branches))
    }
    return blocks
  }

  /// What the run claims and where it came from, for the exported model's metadata.
  /// `cost` is the stored mapping's, re-costed on the run's own SoC description.
  static func metadata(of run: RunFile, soc: SoC, cost: NetworkCostReport, version: String) throws -> [(String, String)]
  {
    var counts: [String: [String: Int]] = [:]
    for layer in run.mapping.layers {
      for (position, unit) in run.mapping.units.enumerated() where layer.channels(ofUnit: position) > 0 {
        counts[layer.name, default: [:]][unit] = layer.channels(ofUnit: position)
      }
    }
    var metadata: [(String, String)] = [
      ("odimo.source_format", "odimo-run"), ("odimo.model", run.configuration.model), ("odimo.soc", soc.name),
      ("odimo.mapping", run.name),
      ("odimo.mapping_channels", String(decoding: try JSONEncoder.sorted.encode(counts), as: UTF8.self)),
      ("odimo.lambda", "\(run.configuration.lambda)"), ("odimo.test_accuracy", "\(run.testAccuracy)"),
      ("odimo.latency_cycles", "\(cost.latencyCycles)"), ("odimo.latency_ms", "\(cost.latencyMilliseconds)"),
      ("odimo.searchable_latency_cycles", "\(cost.searchable.latencyCycles)"),
    ]
    if let energy = cost.energyMicrojoules { metadata.append(("odimo.energy_uj", "\(energy)")) }
    return metadata + [
      ("odimo.version", version), ("odimo.run_version", run.provenance?.version ?? "unknown"),
      ("odimo.run_commit", run.provenance?.commit ?? "unknown"),
      ("odimo.source_sha256", try RunProvenance.sha256(of: run.path)),
    ]
  }
}
