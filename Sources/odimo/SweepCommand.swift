import ArgumentParser
import Engine
import Foundation
import Hardware
import Search

struct SweepCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sweep",
    abstract: "Search a grid of λ values (one shared warmup), on one machine or sharded over many.",
    discussion: """
      odimo sweep run … --out DIR writes DIR/manifest.json (configuration, λ grid, seed, \
      git commit), DIR/warmup.h5, DIR/lambda-<λ>.h5 per point and, with --baselines, \
      DIR/baselines/<name>.h5 per hand-made mapping (trained from the same warmup). \
      --seeds 0,1,2 runs the whole sweep once per seed, the first into DIR and the others \
      into DIR/seed-<seed>; to repeat only some points with another seed, run a sweep with \
      --seed S and just those --lambdas and --baselines into DIR/seed-S. odimo report DIR \
      takes every DIR/seed-* folder with it and reports means over seeds. \
      --shard I/N runs every N-th job starting at the I-th, so a cluster array job (Slurm: --shard \
      $((SLURM_ARRAY_TASK_ID+1))/$SLURM_ARRAY_TASK_COUNT) spreads the points; finished \
      points are skipped when a sweep is run again. odimo sweep merge DIR assembles \
      DIR/sweep.json: every point, the baselines in DIR/baselines (from --baselines or \
      odimo baselines --out DIR/baselines), the Pareto fronts and the iso-accuracy gains.
      """,
    subcommands: [SweepRun.self, SweepMerge.self],
    defaultSubcommand: SweepRun.self
  )
}

struct SweepRun: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "run", abstract: "Run (a shard of) a λ sweep.")

  @OptionGroup var options: SearchOptions
  @Option(
    help: """
      Comma-separated λ values, optionally ending in auto[:N] (default: 0, 0.03, 0.1, 0.3, 1, 3, 10 \
      on the normalised scale). 'auto:N' alone or after a list: once the grid's \
      points are done, λ values are added where the searched front has its widest gap in \
      log-cost (the geometric mean of the neighbouring λ values) until N points in all \
      (default N: the grid's size + 3).
      """) var lambdas: String?
  @Option(
    help: """
      Hand-made mappings to train in the sweep from its shared warmup, into DIR/baselines: \
      'all' (every baseline odimo baselines knows for the SoC and model), 'none', or a \
      comma-separated list of names.
      """) var baselines = "none"
  @Flag(
    inversion: .prefixedNo,
    help: "Also train the float model for as many epochs as a baseline (DIR/reference.h5): the reports' reference line."
  ) var reference = false
  @Option(help: "I/N: run every N-th job (λ points, then baselines) starting at the I-th (1-based).") var shard = "1/1"
  @Option(
    help: """
      Comma-separated seeds: the sweep once per seed (replaces --seed), the first into \
      --out, the others into <out>/seed-<seed>.
      """) var seeds: String?
  @Option(name: .shortAndLong, help: "Sweep folder.") var out: String

  func run() throws {
    try reportingErrors {
      let parts = shard.split(separator: "/").compactMap { Int($0) }
      guard parts.count == 2 else { throw InputError("--shard must look like I/N (e.g. 2/4), got \(shard)") }
      let (grid, autoPoints) = try parseLambdas(lambdas)
      let configuration = try options.configuration()
      let strategies = try chooseBaselines(baselines, for: configuration)
      let seedList = try seeds.map(parseSeeds) ?? [configuration.seed]
      for (index, seed) in seedList.enumerated() {
        var seeded = configuration
        seeded.seed = seed
        let folder = index == 0 ? out : out + "/" + Sweep.seedFolderPrefix + "\(seed)"
        let tag = seedList.count > 1 ? " (seed \(seed))" : ""
        try Sweep.run(
          seeded, lambdas: grid, baselines: strategies, reference: reference, autoPoints: autoPoints, folder: folder,
          shard: parts[0], shards: parts[1]
        ) { stage in
          FileHandle.standardError.write(Data("sweep\(tag): \(stage)\n".utf8))
        } epochs: { row in
          FileHandle.standardError.write(Data("  \(epochLine(row))\n".utf8))
        }
      }
      print("sweep shard \(shard) done in \(out); odimo sweep merge \(out) assembles it")
    }
  }
}

struct SweepMerge: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "merge", abstract: "Assemble a sweep's points, fronts and gains.")

  @Argument(help: "Sweep folder.") var folder: String
  @Option(help: "Iso-accuracy tolerance in accuracy points (0.5 = half a percentage point).") var epsilon = 0.0
  @Flag(help: "Print sweep.json.") var json = false

  func run() throws {
    try reportingErrors {
      let summary = try Sweep.merge(folder: folder, epsilon: epsilon / 100)
      if json { return try printJSON(summary) }
      for point in summary.points {
        print(
          String(
            format: "λ %-8g accuracy %.2f%%  latency %.0f cycles  energy %@ µJ", point.lambda, point.testAccuracy * 100,
            point.latencyCycles, point.energyMicrojoules.map { String(format: "%.4f", $0) } ?? "n/a"))
      }
      for gain in summary.latencyGains {
        let comparison =
          gain.ratio >= 1
          ? String(format: "%.2f× lower latency", gain.ratio) : String(format: "%.2f× higher latency", 1 / gain.ratio)
        print(
          "\(gain.baseline) → \(gain.searched): \(comparison)"
            + String(format: " (accuracy %+.2f pts)", gain.accuracyDelta * 100))
      }
      print("wrote \(folder)/sweep.json")
    }
  }
}

/// `--lambdas`: a comma-separated grid, optionally ending in `auto` or `auto:N` (the
/// default grid when only `auto` is given).
func parseLambdas(_ text: String?) throws -> (grid: [Double], autoPoints: Int?) {
  guard let text else { return (Sweep.defaultLambdas, nil) }
  var items = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
  var autoPoints: Int?
  if let last = items.last, last == "auto" || last.hasPrefix("auto:") {
    items.removeLast()
    let count = last == "auto" ? nil : Int(last.dropFirst(5))
    guard last == "auto" || (count ?? 0) >= 1 else {
      throw InputError("--lambdas: '\(last)' should be auto or auto:N with N ≥ 1 points in all")
    }
    autoPoints = count ?? -1
  }
  let values = items.compactMap { Double($0) }.filter { $0 >= 0 && $0.isFinite }
  guard values.count == items.count else {
    throw InputError("--lambdas must be comma-separated numbers ≥ 0, optionally ending in auto[:N]; got \(text)")
  }
  let grid = items.isEmpty ? Sweep.defaultLambdas : values
  return (grid, autoPoints.map { $0 < 0 ? grid.count + 3 : $0 })
}

/// "0,1,2" → [0, 1, 2]: distinct non-negative integers.
func parseSeeds(_ text: String) throws -> [UInt64] {
  let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
  let seeds = parts.compactMap { UInt64($0) }
  guard !parts.isEmpty, seeds.count == parts.count, Set(seeds).count == seeds.count else {
    throw InputError("--seeds must be distinct non-negative integers separated by commas (e.g. 0,1,2), got '\(text)'")
  }
  return seeds
}
