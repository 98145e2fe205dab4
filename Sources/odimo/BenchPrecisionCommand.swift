import ArgumentParser
import Engine
import Foundation
import Search
import Support

struct BenchPrecision: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "precision",
    abstract: "How bf16 changes a run's predictions, and what it gains in speed.",
    discussion: """
      Evaluates the network a run file deployed (its weights, its mapping frozen) on the \
      test split twice, batch by batch: convolutions in fp32, then in bf16. Prints the \
      accuracy of each, how many predicted classes agree, the largest and median \
      |logit difference| and each forward pass's images per second. On a quantized \
      network (DIANA) bf16 reads the PACT levels and the int8 / ternary weight codes, \
      which it holds exactly, so the two differ only by float32 rounding; a float layer \
      or a search's soft mix is rounded to bf16's 8 significant bits.
      Example: odimo bench precision out/diana/lambda-1.h5 --json
      """
  )

  @Argument(help: "A run file (odimo search, sweep or baselines).") var file: String
  @Option(help: "Compare the first N test images (default: all).") var images: Int?
  @Option(help: "The dataset (default: the one the run records; must be the same file).") var data: String?
  @Flag(help: "Print JSON.") var json = false

  func run() throws {
    try reportingErrors {
      var run = try RunFile.read(file)
      if let data { run = try run.relocated(dataset: data) }
      let comparison = try PrecisionComparison.measure(run, limit: images)
      if json { return try printJSON(comparison) }
      let c = comparison
      print(
        String(
          format: """
            %@: %d test images
              fp32  %.2f %%  %.0f images/s
              bf16  %.2f %%  %.0f images/s (%.2f×)
              same prediction %d of %d, identical logits %d; |Δ logit| largest %.3g, median %.3g
            """, file, c.images, c.fp32Accuracy, c.fp32ImagesPerSecond, c.bf16Accuracy, c.bf16ImagesPerSecond,
          c.bf16ImagesPerSecond / c.fp32ImagesPerSecond, c.agreeingPredictions, c.images, c.identicalLogits,
          c.largestLogitDifference,
          c.medianLogitDifference))
    }
  }
}
