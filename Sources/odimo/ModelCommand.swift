import ArgumentParser
import Engine
import Foundation
import Models

struct ModelCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "model",
    abstract: "List the model zoo and show a model's layers, shapes, MACs and parameters.",
    subcommands: [ModelList.self, ModelShow.self]
  )
}

struct ModelList: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "list", abstract: "The zoo's models.")

  @Flag(help: "Print the models as JSON (name and summary).") var json = false

  func run() throws {
    if json {
      return try printJSON(ModelZoo.catalogue.map { ["name": $0.0, "summary": $0.1] })
    }
    for (name, summary) in ModelZoo.catalogue { print(pad(name, 20) + summary) }
  }
}

struct ModelShow: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "show",
    abstract: "A model's layer graph.",
    discussion: "--json prints the architecture exactly as checkpoints store it (the graph as data)."
  )

  @Argument(help: "Zoo model name.") var name: String
  @Option(help: "Input resolution.") var input = 32
  @Option(help: "Input channels.") var channels = 3
  @Option(help: "Classes.") var classes = 10
  @Option(help: "Width multiplier (MobileNetV1).") var width = 1.0
  @Flag(help: "Print the architecture as JSON.") var json = false

  func run() throws {
    try reportingErrors {
      let architecture = try ModelZoo.make(name, resolution: input, channels: channels, classes: classes, width: width)
      if json { return try printJSON(architecture) }
      print("\(architecture.name): input \(architecture.inputShape), \(architecture.classes) classes")
      for layer in architecture.layers {
        print(pad(layer.name, 30) + pad(describe(layer.operation), 34) + "→ \(layer.outputShape)")
      }
      print(
        String(
          format: "%.2f M MACs per image, %.3f M parameters, %d weight layers",
          Double(architecture.multiplyAccumulates) / 1e6,
          Double(architecture.parameterCount) / 1e6, architecture.weightLayers.count))
    }
  }

  private func describe(_ operation: LayerOperation) -> String {
    switch operation {
    case .convolution(let c):
      (c.groups > 1 ? "dwconv" : "conv") + " \(c.kernel)×\(c.kernel)/\(c.stride) → \(c.outChannels)"
        + (c.bias ? " +b" : "")
    case .linear(let out, _): "linear → \(out)"
    case .maxPool(let k, let s, _): "maxpool \(k)/\(s)"
    case .averagePool(let k, let s): "avgpool \(k)/\(s)"
    default: String(describing: operation)
    }
  }
}
