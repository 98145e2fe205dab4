import Foundation
import Hardware
import Models
import Support
import Testing

@testable import Engine
@testable import Search

/// A frozen Darkside mapping skips the branches its masks switch off (`Network+MaskedBranches`):
/// the logits, every weight gradient and the evaluation must be those of the network that
/// computes every branch, bit for bit. Only a switched-off mask's own gradient (Σ g · x, which
/// the search reads and fine-tuning does not) is left at zero.
@Suite struct MaskedBranchTests {
  /// What one training step and one evaluation leave behind.
  struct Step {
    var logits: [Float]
    var gradients: [String: [Float]]
    var evaluation: [Float]
    var skipped: Set<String>
  }

  /// One step of a width-0.25 Darkside supernet under a frozen mapping with blocks all on the
  /// cluster, all on the DWE and split; gradients start as garbage, as a previous step
  /// would leave them.
  func step(skipping: Bool) throws -> Step {
    let model = try ModelZoo.make("mobilenetv1", resolution: 32, width: 0.25)
    let supernet = try Supernet(model: model, soc: .darkside)
    let network = Network(supernet.architecture, seed: 11)
    let objective = try SearchObjective(supernet: supernet, network: network, metric: .latency, lambda: 0)
    for (index, layer) in supernet.searchable.enumerated() {
      objective.splits[layer.name]?.fixedCount = [0, layer.outChannels, layer.outChannels / 3][index % 3]
    }
    objective.prepare()
    network.masksAreFrozen = skipping
    for parameter in network.parameters { parameter.gradient.buffer.update(repeating: 7) }
    var generator = SplitMix64(seed: 5)
    let input = Tensor(dims: [4, 3, 32, 32], values: (0..<4 * 3 * 32 * 32).map { _ in Float(generator.nextUnit()) })
    let skipped = network.skippedLayers(training: true)
    let logits = try network.forward(input, training: true)
    let gradient = Tensor(dims: [4, 10], values: (0..<40).map { _ in Float(generator.nextUnit() - 0.5) })
    try network.backward(gradient)
    let gradients = Dictionary(uniqueKeysWithValues: network.parameters.map { ($0.name, $0.gradient.values()) })
    let evaluation = try network.forward(input, training: false).values()
    return Step(logits: logits.values(), gradients: gradients, evaluation: evaluation, skipped: skipped)
  }

  @Test func switchedOffBranchesChangeNoNumber() throws {
    let computed = try step(skipping: false)
    let skipping = try step(skipping: true)
    #expect(computed.skipped.isEmpty)
    // block3 is all on the DWE (its convolution branch is skipped), block5 all on the cluster.
    #expect(skipping.skipped.contains("block3.conv.mask") && skipping.skipped.contains("block3.conv"))
    #expect(skipping.skipped.contains("block5.dw.mask") && skipping.skipped.contains("block5.dw"))
    #expect(!skipping.skipped.contains { $0.hasPrefix("block7.") }, "block7 is split: both branches run")
    #expect(skipping.logits == computed.logits)
    #expect(skipping.evaluation == computed.evaluation)
    #expect(skipping.gradients.keys == computed.gradients.keys)
    for (name, values) in computed.gradients {
      let mask = String(name.dropLast(".mask".count))
      if name.hasSuffix(".mask.mask"), skipping.skipped.contains(mask) {
        #expect(skipping.gradients[name]?.allSatisfy { $0 == 0 } == true, "gradient of \(name)")
      } else {
        #expect(skipping.gradients[name] == values, "gradient of \(name)")
      }
    }
    #expect(computed.gradients["block3.conv.weight"]?.allSatisfy { $0 == 0 } == true)
  }

  @Test func theSearchComputesEveryBranchInTraining() throws {
    let model = try ModelZoo.make("mobilenetv1", resolution: 32, width: 0.25)
    let supernet = try Supernet(model: model, soc: .darkside)
    let network = Network(supernet.architecture, seed: 0)
    let objective = try SearchObjective(supernet: supernet, network: network, metric: .latency, lambda: 0)
    for split in objective.splits.values { split.fixedCount = 0 }
    objective.prepare()
    // The search needs d loss/d mask of switched-off channels; evaluation does not.
    #expect(network.skippedLayers(training: true).isEmpty)
    #expect(network.skippedLayers(training: false).contains("block3.conv"))
    SearchRun.freeze(objective, network)
    #expect(network.skippedLayers(training: true).contains("block3.conv"))
    SearchRun.clearSamples(objective, network)
    #expect(!network.masksAreFrozen)
  }
}
