import Engine
import Foundation
import Hardware
import Models
import Support
import Testing

@Suite struct NetworkCostTests {
  let resnet20 = try! ModelZoo.make("resnet20", resolution: 32)

  @Test func resnet20OnDIANATotalsAreLayerSums() throws {
    let plan = try NetworkPlan(architecture: resnet20, soc: .diana)
    #expect(plan.layers.count == 22)
    #expect(plan.layers.allSatisfy { $0.isSplittable })
    for unit in ["digital", "analog"] {
      let report = try plan.cost(of: try plan.mapping(.allOn(unit: unit)))
      let sum = report.layers.reduce(0.0) { $0 + $1.latencyCycles }
      #expect(abs(report.latencyCycles - sum) < 1e-6)
      #expect(abs(report.latencyMilliseconds - sum / 260e6 * 1e3) < 1e-9)
      // Each layer's latency is that unit's own formula for all channels.
      let index = try #require(SoC.diana.unitIndex(unit))
      for (layer, planned) in zip(report.layers, plan.layers) {
        let option = try #require(planned.option(forUnit: index))
        let expected = SoC.diana.units[index].cycles.evaluate(
          option.geometry, channels: Dual(Double(planned.outChannels)), convention: .corrected
        ).value
        #expect(abs(layer.latencyCycles - expected) < 1e-6)
        // One unit busy: energy = its busy-set power × time.
        let power = unit == "digital" ? 24.96 : 28.74
        #expect(abs((layer.energyMicrojoules ?? 0) - power * expected / 260e6 * 1e3) < 1e-9)
      }
      let energy = report.layers.reduce(0.0) { $0 + ($1.energyMicrojoules ?? 0) }
      #expect(abs((report.energyMicrojoules ?? 0) - energy) < 1e-9)
    }
  }

  @Test func dianaEnergyChargesBothBusyThenOne() throws {
    let plan = try NetworkPlan(architecture: resnet20, soc: .diana)
    let mapping = try plan.mapping(.balanced)
    let report = try plan.cost(of: mapping)
    for layer in report.layers {
      let digital = layer.units[0].cycles
      let analog = layer.units[1].cycles
      let both = min(digital, analog)
      let expected = 42.39 * both + 28.74 * (analog - both) + 24.96 * (digital - both)
      #expect(abs((layer.energyMicrojoules ?? 0) - expected / 260e6 * 1e3) < 1e-9)
      #expect(layer.latencyCycles == max(digital, analog))
    }
  }

  @Test func darksideReplacesTheEightBlocksAndChargesIdlePower() throws {
    let mobilenet = try ModelZoo.make("mobilenetv1", resolution: 32)
    let plan = try NetworkPlan(architecture: mobilenet, soc: .darkside)
    let splittable = plan.layers.filter(\.isSplittable)
    #expect(
      splittable.map(\.name) == ["block3", "block5", "block7", "block8", "block9", "block10", "block11", "block13"])
    #expect(splittable[0].options.map(\.geometry.kind) == [.convolution, .depthwise])
    let half = plan.mapping(
      named: "half",
      counts: plan.layers.map { layer in
        layer.isSplittable ? [layer.outChannels / 2, layer.outChannels - layer.outChannels / 2] : [layer.outChannels]
      })
    let report = try plan.cost(of: half)
    for layer in report.layers where layer.units.count == 2 {
      let (cluster, dwe) = (layer.units[0].cycles, layer.units[1].cycles)
      let slowest = max(cluster, dwe)
      let expected = 168 * cluster + 118 * dwe + 1.32 * ((slowest - cluster) + (slowest - dwe))
      #expect(abs((layer.energyMicrojoules ?? 0) - expected / 260e6 * 1e3) < 1e-9)
    }
    // The reference's near-mean "max" under-reports an all-conv network (brief: ~40 %).
    let allCluster = try plan.cost(of: try plan.mapping(.allOn(unit: "cluster")))
    let searchableExact = allCluster.layers.filter { $0.units.count == 2 }.reduce(0.0) { $0 + $1.latencyCycles }
    #expect(allCluster.reference.latencyCycles < 0.65 * searchableExact)
    #expect(allCluster.reference.latencyCycles > 0.45 * searchableExact)
  }

  @Test func idleClusterIsFreeOnlyInTheCorrectedConvention() throws {
    let mobilenet = try ModelZoo.make("mobilenetv1", resolution: 32)
    let plan = try NetworkPlan(architecture: mobilenet, soc: .darkside)
    let index = try #require(plan.layers.firstIndex { $0.name == "block3" })
    #expect(plan.cycles(layer: index, option: 0, channels: Dual(0)).value == 0)
    #expect(plan.cycles(layer: index, option: 0, channels: Dual(0), convention: .reference).value > 0)
  }

  @Test func dwsLayoutKeepsDepthwiseAndPointwise() throws {
    let mobilenet = try ModelZoo.make("mobilenetv1", resolution: 32)
    let plan = try NetworkPlan.forStrategy(.depthwiseSeparable, architecture: mobilenet, soc: .darkside)
    let mapping = try plan.mapping(.depthwiseSeparable)
    #expect(!mapping.replacesBlocks)
    let report = try plan.cost(of: mapping)
    #expect(report.layers.count == 28)
    #expect(report.layers.first { $0.name == "block3.dw" }?.units.map(\.unit) == ["dwe"])
    #expect(report.layers.first { $0.name == "block3.pw" }?.units.map(\.unit) == ["cluster"])
    #expect(report.reference.splittableLayers == 0)
    #expect(throws: MappingMismatch.self) {
      try NetworkPlan(architecture: resnet20, soc: .darkside).mapping(.depthwiseSeparable)
    }
  }

  @Test func unmappableLayerNamesLayerAndUnits() throws {
    let dweOnly = SoC(
      name: "dwe-only", summary: "", clockHz: 260e6, units: [SoC.darkside.units[1]], power: .unknown,
      mappingStyle: .alternativeOperators)
    let error = try #require(throws: UnmappableLayer.self) { try NetworkPlan(architecture: resnet20, soc: dweOnly) }
    #expect(error.layer == "stem")
    #expect(error.description.contains("dwe") && error.description.contains("convolution"))
  }
}

/// The ODiMO reference's Darkside network (MobileNetV1 width 1, stem stride 2, 32×32×3):
/// its cost functions give these searchable-layer figures (the 8 blocks 3, 5, 7–11, 13).
@Suite struct ReferenceGeometryTests {
  @Test func darksideSearchableLayersCostWhatTheReferenceGives() throws {
    let model = try ModelZoo.make("mobilenetv1", resolution: 32, width: 1, stemStride: 2)
    let replaced = try NetworkPlan(architecture: model, soc: .darkside)
    let allCluster = try replaced.cost(of: try replaced.mapping(.allOn(unit: "cluster")))
    #expect(allCluster.searchable.layers == 8)
    #expect(allCluster.searchable.latencyCycles == 20_227_968)
    #expect(allCluster.latencyCycles > allCluster.searchable.latencyCycles)
    let kept = try NetworkPlan(architecture: model, soc: .darkside, replaceBlocks: false)
    let dws = try kept.cost(of: try kept.mapping(.depthwiseSeparable))
    #expect(dws.searchable.latencyCycles == 2_275_640)
    let refused = try #require(throws: InvalidOption.self) {
      try ModelZoo.make("resnet20", resolution: 32, stemStride: 2)
    }
    #expect(refused.option == "--stem-stride")
  }
}
