import ArgumentParser
import Engine
import Foundation
import Hardware
import Models
import Search

struct SearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Learn how to split every layer's channels across an SoC's units (one λ).",
    discussion: """
      Builds the supernet of --model for --soc, then runs warmup (the float model on DIANA, \
      then batch norm folded into the quantized supernet; a random split per step on \
      Darkside), search (task loss + λ·cost; the split logits trained with Adam, the \
      softmax temperature annealed to the preset's final one) and fine-tune (the mapping \
      of the search epoch with the lowest validation loss + λ·cost frozen; the best \
      validation epoch kept; test accuracy reported once, at the end). After \
      every epoch the run file is rewritten with the trace (phase, losses, accuracies, λ, \
      cost, channels per unit, temperature, learning rate), the current mapping and the \
      weights; at the end it also holds test_accuracy, latency and energy. The run file's \
      /mapping is accepted by odimo cost network --mapping.

      λ scale: normalized (default) divides the cost by that of the mapping the search \
      starts from (--init), so λ = 1 weighs the whole starting cost like one nat of \
      cross-entropy; raw multiplies raw cycles as the reference code does (its grids span \
      1e-10…1e-4).

      Example: odimo search --soc diana --model resnet8 --data fmnist.h5 --metric latency --lambda 0.5 --out run.h5
      """
  )

  @OptionGroup var options: SearchOptions
  // Unconditional, so that `--lambda -1` is read as a value (and refused as one) instead
  // of "missing value" for an option named -1.
  @Option(parsing: .unconditional, help: "Regularisation strength λ ≥ 0 (on the --lambda-scale).") var lambda: Double
  @Option(name: .shortAndLong, help: "Run file to write (must not exist unless --resume).") var out: String
  @Flag(help: "Continue the killed run in --out from its last completed epoch (same options required).") var resume =
    false
  @Flag(help: "End with a JSON summary.") var json = false
  @Flag(help: "No progress on stderr (errors still appear).") var quiet = false
  @Option(help: "Also write every epoch's scalars as TensorBoard event files into this folder.") var tensorboard:
    String?

  struct Summary: Encodable {
    let run: String
    let lambda: Double
    let testAccuracy: Double
    let latencyCycles: Double
    let latencyMs: Double
    let energyUj: Double?
    let channels: [String: [String: Int]]
  }

  func run() throws {
    try reportingErrors {
      let configuration = try options.configuration(lambda: lambda)
      let log = tensorboard.map { TensorBoardLog(root: $0) }
      let result = try SearchRun.run(
        configuration, out: out, resume: resume, observer: RunProgress(quiet: quiet).observer(tensorboard: log))
      try log?.check()
      let channels = Dictionary(
        uniqueKeysWithValues: result.cost.layers.filter { $0.units.count > 1 }.map { layer in
          (layer.name, Dictionary(uniqueKeysWithValues: layer.units.map { ($0.unit, $0.channels) }))
        })
      let summary = Summary(
        run: out, lambda: lambda, testAccuracy: result.testAccuracy, latencyCycles: result.cost.latencyCycles,
        latencyMs: result.cost.latencyMilliseconds, energyUj: result.cost.energyMicrojoules, channels: channels)
      if json { return try printJSON(summary) }
      print(
        String(
          format: "λ %g: test accuracy %.2f%%, latency %.0f cycles (%.4f ms), energy %@ µJ; run file %@", lambda,
          result.testAccuracy * 100, result.cost.latencyCycles, result.cost.latencyMilliseconds,
          result.cost.energyMicrojoules.map { String(format: "%.4f", $0) } ?? "n/a", out))
    }
  }
}
