import ArgumentParser
import Engine
import Foundation
import Hardware
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
  @Option(help: "Regularisation strength λ ≥ 0 (on the --lambda-scale).") var lambda: Double
  @Option(name: .shortAndLong, help: "Run file to write (must not exist unless --resume).") var out: String
  @Flag(help: "Continue the killed run in --out from its last completed epoch (same options required).") var resume =
    false
  @Flag(help: "End with a JSON summary.") var json = false

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
      let result = try SearchRun.run(configuration, out: out, resume: resume) { row in
        FileHandle.standardError.write(Data((epochLine(row) + "\n").utf8))
      }
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

/// One epoch of a search, sweep point or baseline as a progress line.
/// `[2026-11-30T10:15:02Z] search epoch 3/10  train loss … (41 s, ETA 4 min 47 s)`: one
/// timestamped line per epoch for logs; the ETA assumes the remaining epochs take as long.
func epochLine(_ row: TraceRow, now: Date = Date()) -> String {
  let total = row.scheduledEpochs.map { "/\($0)" } ?? ""
  var line = String(
    format: "[%@] %@ epoch %d%@  train loss %.4f acc %.2f%%  val acc %.2f%%  cost %.4f  latency %.0f cycles  T %.3f",
    ISO8601DateFormatter().string(from: now) as NSString, "\(row.phase)" as NSString, row.epoch, total as NSString,
    row.trainLoss, row.trainAccuracy * 100, row.validationAccuracy * 100, row.softCost, row.latencyCycles,
    row.temperature)
  if let seconds = row.seconds {
    line += "  (\(duration(seconds))"
    if let epochs = row.scheduledEpochs, epochs > row.epoch {
      line += ", ETA \(duration(seconds * Double(epochs - row.epoch)))"
    }
    line += ")"
  }
  return line
}

/// "47 s", "4 min 47 s", "2 h 05 min".
func duration(_ seconds: Double) -> String {
  let whole = Int(seconds.rounded())
  if whole < 60 { return "\(whole) s" }
  if whole < 3600 { return "\(whole / 60) min \(whole % 60) s" }
  return String(format: "%d h %02d min", whole / 3600, (whole % 3600) / 60)
}
