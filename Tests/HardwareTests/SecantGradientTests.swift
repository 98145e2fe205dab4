import Foundation
import Hardware
import Models
import Testing

/// The secant cost gradient (`--cost-gradient secant`): it aims at the whole split whose
/// saving per channel moved is largest, and moving channels towards it lowers the cost at
/// the rate the whole move saves.
@Suite struct SecantGradientTests {
  /// DIANA ResNet-20 at 32×32: stage1 3×3 convolutions are digital-bound (one 16-channel
  /// block costs 11,392 cycles with one channel, the analog array 5,811.2 for all 16).
  private func dianaPlan() throws -> NetworkPlan {
    try NetworkPlan(architecture: try ModelZoo.make("resnet20", resolution: 32), soc: try SoCCatalogue.soc("diana"))
  }

  private func layerIndex(_ plan: NetworkPlan, _ name: String) throws -> Int {
    try #require(plan.layers.firstIndex { $0.name == name })
  }

  @Test func cheapestSplitIsTheExhaustiveMinimum() throws {
    let plan = try dianaPlan()
    for (index, layer) in plan.layers.enumerated() where layer.options.count == 2 {
      for metric in CostMetric.allCases {
        let best = try #require(plan.cheapestSplit(layer: index, metric: metric))
        #expect(best.counts.reduce(0, +) == layer.outChannels)
        for digital in 0...layer.outChannels {
          let cost = plan.exactCost(layer: index, counts: [digital, layer.outChannels - digital], metric: metric)
          #expect(best.cost <= cost, "\(layer.name) \(metric): \(best.counts) beaten by \(digital) digital")
        }
      }
    }
    let stage1 = try layerIndex(plan, "stage1.block0.conv1")
    let best = try #require(plan.cheapestSplit(layer: stage1, metric: .latency))
    #expect(best.counts == [0, 16])
    #expect(abs(best.cost - 5811.2) < 0.1)
  }

  @Test func aLoneChannelIsChargedTheBlockItHoldsOpen() throws {
    let plan = try dianaPlan()
    let stage1 = try layerIndex(plan, "stage1.block0.conv1")
    let target = try #require(plan.cheapestSplit(layer: stage1, metric: .latency))
    let stray = try plan.secantCost(
      layer: stage1, channels: [1, 15], metric: .latency, targets: plan.wholeSplits(layer: stage1, metric: .latency))
    let local = try plan.softCost(layer: stage1, channels: [1, 15], metric: .latency)
    #expect(stray.value == local.value)
    // Moving the channel to the analog unit (counts −1, +1) saves what the exact costs say.
    let saving = plan.exactCost(layer: stage1, counts: [1, 15], metric: .latency) - target.cost
    let slope = -stray.gradient[0] + stray.gradient[1]
    #expect(abs(-slope - saving) < 1e-9 * saving)
    // The local gradient charges a fraction of that: ⌈ch/16⌉'s slope 1/16 plus load/store.
    let localSlope = -local.gradient[0] + local.gradient[1]
    #expect(-localSlope < saving / 4)
  }

  @Test func aFractionOfAChannelPaysThatFractionOfTheBlock() throws {
    // A layer near its all-analog optimum with 0.3 channels' worth of digital probability:
    // the secant resists as strongly as it would push a whole stray channel off.
    let plan = try dianaPlan()
    let stage1 = try layerIndex(plan, "stage1.block0.conv1")
    let targets = plan.wholeSplits(layer: stage1, metric: .latency)
    let block =
      plan.exactCost(layer: stage1, counts: [1, 15], metric: .latency)
      - plan.exactCost(layer: stage1, counts: [0, 16], metric: .latency)
    let cost = try plan.secantCost(layer: stage1, channels: [0.3, 15.7], metric: .latency, targets: targets)
    let perChannel = cost.gradient[0] - cost.gradient[1]
    #expect(abs(perChannel - block) < 1e-6 * block)
  }

  @Test func channelsPastABlockBoundaryAreChargedThatBlock() throws {
    // stage3 3×3 (64 channels @ 8×8): 18 digital channels take two blocks (9,872 cycles),
    // 16 take one (5,152): the steepest secant aims at 16, not at the all-analog split.
    let plan = try dianaPlan()
    let stage3 = try layerIndex(plan, "stage3.block1.conv1")
    let targets = plan.wholeSplits(layer: stage3, metric: .latency)
    let cost = try plan.secantCost(layer: stage3, channels: [18, 46], metric: .latency, targets: targets)
    let saving =
      plan.exactCost(layer: stage3, counts: [18, 46], metric: .latency)
      - plan.exactCost(layer: stage3, counts: [16, 48], metric: .latency)
    let perChannel = -(-cost.gradient[0] + cost.gradient[1])
    #expect(abs(perChannel - saving / 2) < 0.05 * saving)
    #expect(perChannel > 2000)
  }

  @Test func aLayerAtItsCheapestSplitFeelsNoPush() throws {
    let plan = try dianaPlan()
    for (index, layer) in plan.layers.enumerated() where layer.options.count == 2 {
      let targets = plan.wholeSplits(layer: index, metric: .latency)
      let best = try #require(plan.cheapestSplit(layer: index, metric: .latency))
      let cost = try plan.secantCost(
        layer: index, channels: best.counts.map(Double.init), metric: .latency, targets: targets)
      #expect(cost.gradient.allSatisfy { $0 == 0 }, "\(layer.name)")
    }
  }

  @Test func theSteepestSecantIsAtLeastAsSteepAsTheOneToTheCheapestSplit() throws {
    let plan = try dianaPlan()
    let stage2 = try layerIndex(plan, "stage2.block1.conv1")
    let targets = plan.wholeSplits(layer: stage2, metric: .energy)
    let best = try #require(plan.cheapestSplit(layer: stage2, metric: .energy))
    for digital in stride(from: 0.5, through: 31.5, by: 3.0) {
      let channels = [digital, 32 - digital]
      let cost = try plan.secantCost(layer: stage2, channels: channels, metric: .energy, targets: targets)
      guard cost.value > best.cost else { continue }
      let distance = zip(channels, best.counts).map { ($0 - Double($1)) * ($0 - Double($1)) }.reduce(0, +)
        .squareRoot()
      let magnitude = cost.gradient.map { $0 * $0 }.reduce(0, +).squareRoot()
      #expect(magnitude >= (cost.value - best.cost) / distance * (1 - 1e-12), "digital \(digital)")
    }
  }
}

extension NetworkPlan {
  /// The cheapest of `wholeSplits` (the first of equal costs).
  fileprivate func cheapestSplit(layer: Int, metric: CostMetric) -> WholeSplit? {
    wholeSplits(layer: layer, metric: metric).reduce(nil) { best, split in
      guard let best, best.cost <= split.cost else { return split }
      return best
    }
  }
}
