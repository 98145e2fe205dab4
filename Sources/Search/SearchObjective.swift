import Engine
import Foundation
import Hardware
import Models
import Support

/// Connects a supernet's network to the hardware cost: λ · Σ_layers cost(soft split).
/// Per training step: `prepare()` before the forward pass (sets the thermometric
/// masks), `applyCost()` after the task loss (returns the cost and routes λ·∂cost/∂count
/// to the searchable layers), `finishBackward()` after the backward pass (turns mask
/// gradients into logit gradients).
package final class SearchObjective {
  package let supernet: Supernet
  package let network: Network
  package let metric: CostMetric
  package let convention: CostConvention
  /// How the cost's gradient reaches the channel counts (`local` or `secant`).
  package let gradient: CostGradient
  /// The regularisation strength (on the scale of `costScale`).
  package var lambda: Double
  /// Divides the cost before λ multiplies it (1 for the reference's raw-cycle scale).
  package var costScale: Double
  /// Thermometric splits of alternative-operators layers, by searchable-layer name.
  package let splits: [String: ThermometricSplit]
  private let masks: [String: Parameter]
  private let mixed: [String: any MixedLayer]
  private var countGradients: [String: [Double]] = [:]
  /// Per searchable layer (by name), the whole splits the secant gradient aims at.
  private let wholeSplits: [String: [WholeSplit]]

  /// `initialSplit` is where the search starts: "half", a unit's name (every channel on
  /// it) or "legacy" (alternative operators on their first, equal logits elsewhere).
  package init(
    supernet: Supernet, network: Network, metric: CostMetric, lambda: Double, costScale: Double = 1,
    convention: CostConvention = .corrected, gradient: CostGradient = .local, initialSplit: String = "half"
  ) throws {
    guard lambda >= 0, lambda.isFinite else {
      throw InvalidOption("λ", value: lambda, expected: "a finite number ≥ 0")
    }
    try Self.check(metric, on: supernet.plan.soc)
    self.supernet = supernet
    self.network = network
    self.metric = metric
    self.lambda = lambda
    self.costScale = costScale
    self.convention = convention
    self.gradient = gradient
    masks = network.masks
    mixed = Dictionary(uniqueKeysWithValues: network.mixedLayers.map { ($0.name, $0) })
    let soc = supernet.plan.soc
    let unit = soc.unitIndex(initialSplit)
    guard ["half", "legacy"].contains(initialSplit) || unit != nil else {
      throw InvalidOption(
        "--init", value: initialSplit,
        expected: "half or a unit of \(soc.name) (\(soc.units.map(\.name).joined(separator: ", ")))")
    }
    var splits: [String: ThermometricSplit] = [:]
    for layer in supernet.searchable {
      let options = supernet.plan.layers[layer.planIndex].options.map(\.unit)
      switch layer.kind {
      case .alternativeOperators:
        let first: Int? =
          switch initialSplit {
          case "half": layer.outChannels / 2
          case "legacy": layer.outChannels
          default: options.first == unit ? layer.outChannels : 0
          }
        splits[layer.name] = ThermometricSplit(name: layer.name, channels: layer.outChannels, firstCount: first)
      case .sharedWeights(let name):
        if let unit, let option = options.firstIndex(of: unit) { mixed[name]?.favour(option) }
      }
    }
    self.splits = splits
    let plan = supernet.plan
    wholeSplits =
      gradient == .secant
      ? Dictionary(
        uniqueKeysWithValues: supernet.searchable.map {
          ($0.name, plan.wholeSplits(layer: $0.planIndex, metric: metric))
        }) : [:]
  }

  /// Refuses a metric the SoC has no figures for (energy without power data).
  static func check(_ metric: CostMetric, on soc: SoC) throws {
    guard metric == .latency || soc.hasPowerData else {
      throw InvalidOption("--metric", value: metric.rawValue, expected: "latency: SoC \(soc.name) has no power data")
    }
  }

  /// The cost of the current soft split in the metric's raw units (no λ, no scale): at
  /// the start of a search, the normalised λ scale.
  package func rawCost() throws -> Double {
    try supernet.searchable.reduce(0) { total, layer in
      total
        + (try supernet.plan.softCost(
          layer: layer.planIndex, channels: softCounts(layer), metric: metric, convention: convention
        )
        .value)
    }
  }

  /// The architecture parameters: mixed layers' logits and thermometric logits.
  package var logitParameters: [Parameter] {
    network.logitParameters + supernet.searchable.compactMap { splits[$0.name]?.logits }
  }

  /// The thermometric logits by parameter name (stored in run files beside the network's weights).
  package var splitLogits: [String: [Float]] {
    Dictionary(uniqueKeysWithValues: splits.values.map { ($0.logits.name, $0.logits.value.values()) })
  }

  /// Restores thermometric logits stored by `splitLogits` (names absent from `values` are left
  /// as they are). Files written before α was kept ≥ 0 summed |α|: their magnitudes give the
  /// same thresholds.
  package func restoreSplits(_ values: [String: [Float]]) {
    for split in splits.values {
      guard let stored = values[split.logits.name], stored.count == split.channels else { continue }
      for (index, value) in stored.enumerated() { split.logits.value.buffer[index] = abs(value) }
    }
  }

  /// Keeps every thermometric α ≥ 0 (after each logit step; see `ThermometricSplit`).
  package func projectSplits() {
    for split in splits.values { split.project() }
  }

  /// Sets every thermometric mask pair (m for the first operator, 1 − m for the second).
  package func prepare() {
    for layer in supernet.searchable {
      guard case .alternativeOperators(let names) = layer.kind, let split = splits[layer.name] else { continue }
      let mask = split.mask
      for (position, name) in names.enumerated() {
        guard let parameter = masks[name] else { continue }
        for c in 0..<layer.outChannels { parameter.value.buffer[c] = position == 0 ? mask[c] : 1 - mask[c] }
      }
    }
  }

  /// Soft channel counts per searchable layer, in the plan's option order.
  package func softCounts(_ layer: SearchableLayer) -> [Double] {
    switch layer.kind {
    case .sharedWeights(let name):
      return mixed[name]?.softCounts ?? []
    case .alternativeOperators:
      let first = Double(splits[layer.name]?.count ?? layer.outChannels)
      return [first, Double(layer.outChannels) - first]
    }
  }

  /// The differentiable cost of the current soft split (SoC-clock cycles or mW·cycles,
  /// divided by `costScale`), summed over searchable layers; λ times its gradient is
  /// handed to the layers for the next backward pass.
  @discardableResult
  package func applyCost() throws -> Double {
    var total = 0.0
    for layer in supernet.searchable {
      let cost =
        if let targets = wholeSplits[layer.name] {
          try supernet.plan.secantCost(
            layer: layer.planIndex, channels: softCounts(layer), metric: metric, targets: targets,
            convention: convention)
        } else {
          try supernet.plan.softCost(
            layer: layer.planIndex, channels: softCounts(layer), metric: metric, convention: convention)
        }
      total += cost.value / costScale
      let gradient = cost.gradient.map { lambda * $0 / costScale }
      switch layer.kind {
      case .sharedWeights(let name): mixed[name]?.countGradient = gradient
      case .alternativeOperators: countGradients[layer.name] = gradient
      }
    }
    return total
  }

  /// Turns the masks' gradients (task loss) and the stored cost gradients into the
  /// thermometric logits' gradients.
  package func finishBackward() {
    for layer in supernet.searchable {
      guard case .alternativeOperators(let names) = layer.kind, let split = splits[layer.name], names.count == 2,
        let first = masks[names[0]], let second = masks[names[1]]
      else { continue }
      let cost = countGradients[layer.name] ?? [0, 0]
      // n_first = Σ m, n_second = C − Σ m; the second branch's mask is 1 − m.
      let gradient = (0..<layer.outChannels).map { c in
        first.gradient.buffer[c] - second.gradient.buffer[c] + Float(cost[0] - cost[1])
      }
      split.backward(maskGradient: gradient)
    }
    countGradients = [:]
  }

  /// The current discrete mapping: argmax per channel (shared weights) or the
  /// thermometric prefix (alternative operators); other layers on their first unit.
  package func mapping(named name: String) -> Mapping {
    let plan = supernet.plan
    var assignments = plan.layers.map { layer in
      LayerAssignment(name: layer.name, units: [Int](repeating: layer.options[0].unit, count: layer.outChannels))
    }
    for layer in supernet.searchable {
      let options = plan.layers[layer.planIndex].options.map(\.unit)
      switch layer.kind {
      case .sharedWeights(let layerName):
        if let chosen = mixed[layerName]?.assignment {
          assignments[layer.planIndex] = LayerAssignment(name: layer.name, units: chosen.map { options[$0] })
        }
      case .alternativeOperators:
        let first = splits[layer.name]?.count ?? layer.outChannels
        assignments[layer.planIndex] = LayerAssignment(
          name: layer.name, counts: [first, layer.outChannels - first], units: options)
      }
    }
    return Mapping(
      name: name, soc: plan.soc.name, model: plan.architecture.name, units: plan.soc.units.map(\.name),
      replacesBlocks: plan.replacesBlocks, layers: assignments)
  }
}
