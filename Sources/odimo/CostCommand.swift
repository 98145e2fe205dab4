import ArgumentParser

struct Cost: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Compute latency and energy of layers and networks on an SoC's compute units.",
    discussion: """
      SoCs: the built-ins diana, darkside and naive; the shipped description files \
      diana.toml, darkside.toml and trio.toml; or the path of your own .toml description \
      (format in datasets/FORMATS.md).
      """,
    subcommands: [CostCases.self, CostNetwork.self]
  )
}
