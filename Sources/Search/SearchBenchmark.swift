import Datasets
import Engine
import Foundation
import Hardware
import Models
import Support

/// Times one search-phase epoch (data loading, supernet forward and backward, λ·cost,
/// SGD on the weights and Adam on the logits) the way `SearchRun` runs it.
package enum SearchBenchmark {
  package struct Result: Sendable {
    package let imagesPerSecond: Double
    package let images: Int
    package let seconds: Double
    /// Per searchable layer, cycles per output channel on each of its units (plan option
    /// order): what an equivalent supernet elsewhere needs for a comparable cost term.
    package let cyclesPerChannel: [[Double]]
    /// Per supernet layer (when profiled): mean milliseconds per step in forward and
    /// backward; and the rest of a step (loader, loss, cost term, optimizers), per step.
    package let layers: [(name: String, forwardMilliseconds: Double, backwardMilliseconds: Double)]
    package let outsideNetworkMilliseconds: Double?
  }

  /// `profileLayers` also times every layer (a timestamp around each: no measurable cost).
  package static func run(_ configuration: SearchConfiguration, profileLayers: Bool = false) throws -> Result {
    let setup = try SearchSetup(configuration)
    let (supernet, network, preset) = (setup.supernet, setup.network, configuration.preset)
    for layer in network.mixedLayers { layer.temperature = preset.initialTemperature }
    if profileLayers { network.profile = [:] }
    let start = DispatchTime.now().uptimeNanoseconds
    let pass = try SearchRun.trainEpoch(
      setup.trainer, loader: setup.trainLoader, epoch: 0, phase: .search, objective: setup.objective,
      logits: setup.logits,
      generator: SplitMix64.stream(seed: configuration.seed, 0))
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let plan = supernet.plan
    let cycles = try supernet.searchable.map { layer in
      try plan.layers[layer.planIndex].options.indices.map { option in
        var counts = [Double](repeating: 0, count: plan.layers[layer.planIndex].options.count)
        counts[option] = Double(layer.outChannels)
        let total = try plan.softCost(layer: layer.planIndex, channels: counts, metric: .latency).value
        return total / Double(layer.outChannels)
      }
    }
    let steps = Double((pass.images + preset.batchSize - 1) / preset.batchSize)
    let profile = network.profile ?? [:]
    let layers = network.architecture.layers.compactMap { layer in
      profile[layer.name].map { (layer.name, $0.forward * 1e3 / steps, $0.backward * 1e3 / steps) }
    }
    let inside = layers.reduce(0) { $0 + $1.1 + $1.2 }
    return Result(
      imagesPerSecond: Double(pass.images) / seconds, images: pass.images, seconds: seconds, cyclesPerChannel: cycles,
      layers: layers, outsideNetworkMilliseconds: profileLayers ? seconds * 1e3 / steps - inside : nil)
  }
}
