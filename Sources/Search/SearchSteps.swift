import Datasets
import Engine
import Foundation
import HDF5
import Hardware
import Models
import Support

extension SearchRun {
  /// One epoch of a phase. Warmup trains the weights under a random split per step (so
  /// every split gets trained) with the logits frozen; search adds λ·cost and steps the
  /// logits with Adam; fine-tune trains the weights under the frozen mapping.
  /// `beforeStep`, if given, runs before every step with the step's index in the epoch
  /// (learning rate and temperature schedules).
  static func trainEpoch(
    _ trainer: Trainer, loader: BatchLoader, epoch: Int, phase: SearchPhase, objective: SearchObjective, logits: Adam,
    generator: SplitMix64, progress: Trainer.StepProgress = { _, _, _, _, _ in }, beforeStep: ((Int) -> Void)? = nil
  ) throws -> Trainer.PassResult {
    let network = trainer.network
    var generator = generator
    var step = 0
    let hooks = Trainer.StepHooks(
      beforeForward: {
        beforeStep?(step)
        step += 1
        if phase == .warmup { sample(objective, network, using: &generator) }
        objective.prepare()
      },
      beforeBackward: { if phase == .search { try objective.applyCost() } },
      afterBackward: {
        guard phase == .search else { return }
        objective.finishBackward()
        logits.step()
        objective.projectSplits()
      })
    return try trainer.trainEpoch(loader, epoch: epoch, hooks: hooks, progress: progress)
  }

  /// A random split for every searchable layer: k uniform in 0…C channels on the first
  /// alternative and the rest on the second — a random subset of k channels for mixed
  /// layers (a prefix would train channel c on the first unit with probability
  /// (C − c)/(C + 1) only), the first k for thermometric ones, whose split is a prefix by
  /// construction; with more alternatives, a uniform unit per channel.
  static func sample(_ objective: SearchObjective, _ network: Network, using generator: inout SplitMix64) {
    guard objective.network === network else { return }
    for layer in network.mixedLayers {
      let channels = layer.outChannels
      if layer.alternatives == 2 {
        let k = Int(generator.next() % UInt64(channels + 1))
        var order = Array(0..<channels)
        for index in 0..<k {
          let pick = index + Int(generator.next() % UInt64(channels - index))
          order.swapAt(index, pick)
        }
        var assignment = [Int](repeating: 1, count: channels)
        for index in order.prefix(k) { assignment[index] = 0 }
        layer.fixedAssignment = assignment
      } else {
        layer.fixedAssignment = (0..<channels).map { _ in Int(generator.next() % UInt64(layer.alternatives)) }
      }
    }
    // In the supernet's layer order: a dictionary's order changes from process to process,
    // and the draws must go to the same layers in every run with this seed.
    for layer in objective.supernet.searchable {
      guard let split = objective.splits[layer.name] else { continue }
      split.fixedCount = Int(generator.next() % UInt64(split.channels + 1))
    }
  }

  /// Back to the learned (soft) splits after warmup.
  static func clearSamples(_ objective: SearchObjective, _ network: Network) {
    for layer in network.mixedLayers { layer.fixedAssignment = nil }
    for split in objective.splits.values { split.fixedCount = nil }
    network.masksAreFrozen = false
  }

  /// Freezes the discrete mapping for fine-tuning.
  static func freeze(_ objective: SearchObjective, _ network: Network) {
    for layer in network.mixedLayers { layer.fixedAssignment = layer.assignment }
    for split in objective.splits.values { split.fixedCount = split.count }
    network.masksAreFrozen = true
  }

  /// Freezes every searchable layer to `mapping`'s split (hand-made baselines).
  static func fix(_ objective: SearchObjective, _ network: Network, to mapping: Mapping) throws {
    let plan = objective.supernet.plan
    let counts = try plan.channelCounts(mapping)
    let mixed = Dictionary(uniqueKeysWithValues: network.mixedLayers.map { ($0.name, $0) })
    for layer in objective.supernet.searchable {
      let options = plan.layers[layer.planIndex].options.map(\.unit)
      switch layer.kind {
      case .sharedWeights(let name):
        let units = mapping.layers[layer.planIndex].units.map { mapping.units[$0] }
        // channelCounts checked that every channel's unit can run the layer; a miss is still an error, never option 0.
        mixed[name]?.fixedAssignment = try units.map { unitName in
          guard let option = options.firstIndex(where: { plan.soc.units[$0].name == unitName }) else {
            throw MappingMismatch(
              description: "layer \(layer.name): unit \(unitName) cannot run it on \(plan.soc.name)")
          }
          return option
        }
      case .alternativeOperators:
        objective.splits[layer.name]?.fixedCount = counts[layer.planIndex][0]
      }
    }
    network.masksAreFrozen = true
  }
}
