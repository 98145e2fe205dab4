import ArgumentParser

struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure the speed of odimo's components (use a release build).",
    discussion: """
      Benchmarks print medians over interleaved rounds, because this kind of machine is \
      noisy; where a comparison system is named, it runs in the same rounds.
      Build first with: swift build -c release
      """,
    subcommands: [BenchRead.self, BenchLoader.self, BenchTrain.self, BenchSearch.self, BenchPrecision.self]
  )
}

/// Milliseconds per step a layer spends in forward and backward (`bench train`, `bench search`).
struct LayerTime: Encodable {
  let name: String
  let forwardMs: Double
  let backwardMs: Double

  init(_ layer: (name: String, forwardMilliseconds: Double, backwardMilliseconds: Double)) {
    (name, forwardMs, backwardMs) = (layer.name, layer.forwardMilliseconds, layer.backwardMilliseconds)
  }
}

/// The per-layer table for people (layers under 0.05 ms left out).
func printLayerTimes(_ layers: [LayerTime]) {
  print("layer                              forward ms  backward ms")
  for layer in layers where layer.forwardMs + layer.backwardMs >= 0.05 {
    print(
      pad(layer.name, 34) + pad(String(format: "%.2f", layer.forwardMs), 11, right: true)
        + pad(String(format: "%.2f", layer.backwardMs), 12, right: true))
  }
}
