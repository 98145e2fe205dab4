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
