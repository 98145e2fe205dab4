import Engine
import Foundation
import Hardware
import Models
import Support
import TestSupport
import Testing

@testable import Search

@Suite struct SupernetTests {
  @Test func dianaResNet20MixesEveryConvolution() throws {
    let model = try ModelZoo.make("resnet20", resolution: 32)
    let supernet = try Supernet(model: model, soc: .diana)
    // 19 3×3 + 2 shortcut convolutions; the classifier stays on its first unit.
    #expect(supernet.searchable.count == 21)
    let mixed = supernet.architecture.layers.filter { if case .mixedConvolution = $0.operation { true } else { false } }
    #expect(mixed.count == 21)
    if case .mixedConvolution(_, let formats) = mixed[0].operation {
      #expect(formats == [.int8PowerOfTwo, .ternary])
    }
    #expect(supernet.architecture.layers.count == model.layers.count)
    let network = Network(supernet.architecture, seed: 0)
    #expect(network.mixedLayers.count == 21)
    let output = try network.forward(Tensor(zeros: [2, 3, 32, 32]), training: false)
    #expect(output.dims == [2, 10])
  }

  @Test func darksideMobileNetGetsTwoMaskedBranchesPerBlock() throws {
    let model = try ModelZoo.make("mobilenetv1", resolution: 32, width: 0.25)
    let supernet = try Supernet(model: model, soc: .darkside)
    #expect(
      supernet.searchable.map(\.name) == [
        "block3", "block5", "block7", "block8", "block9", "block10", "block11", "block13",
      ])
    #expect(supernet.searchable[0].kind == .alternativeOperators(masks: ["block3.conv.mask", "block3.dw.mask"]))
    let names = Set(supernet.architecture.layers.map(\.name))
    #expect(!names.contains("block3.pw") && names.contains("block3.add") && names.contains("block4.dw"))
    let network = Network(supernet.architecture, seed: 0)
    #expect(network.masks.count == 16)
    let output = try network.forward(Tensor(zeros: [2, 3, 32, 32]), training: false)
    #expect(output.dims == [2, 10])
  }

  @Test func thermometricMasksArePrefixes() {
    let split = ThermometricSplit(name: "b", channels: 4)
    #expect(split.mask == [1, 1, 1, 1] && split.count == 4)
    for index in 0..<4 { split.logits.value.buffer[index] = 0.2 }
    #expect(split.thresholds.map { ($0 * 10).rounded() / 10 } == [0.8, 0.6, 0.4, 0.2])
    #expect(split.mask == [1, 1, 0, 0] && split.count == 2)
    split.logits.value.buffer[1] = -0.2  // α < 0 counts as 0; project() clips it there
    #expect(split.thresholds.map { ($0 * 10).rounded() / 10 } == [0.6, 0.4, 0.4, 0.2])
    #expect(split.count == 1)
    split.project()
    #expect(split.logits.value.buffer[1] == 0)
    split.backward(maskGradient: [1, 2, 3, 4])
    #expect(Array(split.logits.gradient.buffer.prefix(4)) == [1, 3, 6, 10])
    split.fixedCount = 3
    #expect(split.mask == [1, 1, 1, 0])
  }
}

@Suite struct SearchObjectiveTests {
  /// With the naive SoC (cost linear in channels, no ceilings) the cost is smooth in the
  /// logits: λ·∂cost/∂α from the objective must match finite differences of λ·cost.
  @Test func costGradientReachesTheLogits() throws {
    var b = ArchitectureBuilder(name: "tiny", input: FeatureShape(channels: 3, height: 8, width: 8), classes: 2)
    b.convBNReLU("a", Convolution(outChannels: 6, kernel: 3))
    b.convBNReLU("b", Convolution(outChannels: 8, kernel: 3, stride: 2))
    b.add("gap", .globalAveragePool)
    b.add("flatten", .flatten)
    b.add("classifier", .linear(outFeatures: 2, bias: true))
    let supernet = try Supernet(model: b.build(), soc: .naive)
    let network = Network(supernet.architecture, seed: 1)
    let objective = try SearchObjective(supernet: supernet, network: network, metric: .latency, lambda: 1e-3)
    for (offset, layer) in network.mixedLayers.enumerated() {
      layer.temperature = 0.8
      for index in 0..<layer.logits.value.elementCount {
        layer.logits.value.buffer[index] = Float((index * 5 + offset) % 7) * 0.15 - 0.4
      }
    }
    let input = Tensor(zeros: [2, 3, 8, 8])
    objective.prepare()
    _ = try network.forward(input, training: true)
    let cost = try objective.applyCost()
    #expect(cost > 0)
    try network.backward(Tensor(zeros: [2, 2]))  // no task loss: only the cost term
    objective.finishBackward()
    for layer in network.mixedLayers {
      let analytic = Array(layer.logits.gradient.buffer)
      for index in 0..<layer.logits.value.elementCount {
        let numeric =
          1e-3
          * (try centralDifference(layer.logits.value.buffer, at: index, step: 1e-2) { try objective.applyCost() })
        #expect(
          abs(numeric - Double(analytic[index])) <= 2e-2 * abs(numeric) + 1e-6,
          "\(layer.name)[\(index)]: \(numeric) vs \(analytic[index])")
      }
    }
  }

  @Test func mappingFollowsTheSplitsAndCostsLikeTheHeuristics() throws {
    let model = try ModelZoo.make("mobilenetv1", resolution: 32, width: 0.25)
    let supernet = try Supernet(model: model, soc: .darkside)
    let network = Network(supernet.architecture, seed: 0)
    let objective = try SearchObjective(
      supernet: supernet, network: network, metric: .energy, lambda: 0, initialSplit: "cluster")
    // `--init cluster`: every split is all-standard-convolution, the all-cluster mapping.
    let allCluster = try supernet.plan.cost(of: try supernet.plan.mapping(.allOn(unit: "cluster")))
    #expect(try supernet.plan.cost(of: objective.mapping(named: "start")).latencyCycles == allCluster.latencyCycles)
    for split in objective.splits.values { split.fixedCount = 0 }
    let allDWE = try supernet.plan.cost(of: try supernet.plan.mapping(.allOn(unit: "dwe")))
    #expect(try supernet.plan.cost(of: objective.mapping(named: "dwe")).latencyCycles == allDWE.latencyCycles)
    let negative = try #require(throws: InvalidOption.self) {
      try SearchObjective(supernet: supernet, network: network, metric: .latency, lambda: -1)
    }
    #expect(negative.option == "λ")
  }
}
