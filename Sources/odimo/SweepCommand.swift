import ArgumentParser
import Console
import Engine
import Foundation
import Hardware
import Models
import Search
import Support

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
      --shard I/N runs every N-th job starting at the I-th, and --shard auto takes a Slurm \
      array task's share (any --array range) or, outside an array, every job no other \
      process is running, so several processes on one folder divide the work; the shared \
      warmup is computed once (the others wait for it). Finished jobs are skipped and \
      interrupted ones (warmup, points, baselines, reference) resume when a sweep is run \
      again; run again with more --lambdas, --baselines or --reference (and otherwise the \
      same options), it adds them to the folder's sweep and runs them from the same warmup \
      (other options are refused: that is another sweep). odimo sweep status DIR shows where every job stands. odimo sweep merge DIR assembles \
      DIR/sweep.json: every point, the baselines in DIR/baselines (from --baselines or \
      odimo baselines --out DIR/baselines), the Pareto fronts and the iso-accuracy gains.
      """,
    subcommands: [SweepRun.self, SweepResume.self, SweepSubmit.self, SweepStatusCommand.self, SweepMerge.self],
    defaultSubcommand: SweepRun.self
  )
}

/// What a sweep is — shared by `sweep run` and `sweep submit`.
struct SweepDefinition: ParsableArguments {
  @OptionGroup var options: SearchOptions
  @Option(
    parsing: .unconditional,
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
  @Option(
    help: """
      Comma-separated seeds: the sweep once per seed (replaces --seed), the first into \
      --out, the others into <out>/seed-<seed>.
      """) var seeds: String?
  @Option(name: .shortAndLong, help: "Sweep folder.") var out: String

  /// One sweep per seed: its folder and everything `Sweep.run` needs.
  struct Seeded {
    var folder: String
    var configuration: SearchConfiguration
    var lambdas: [Double]
    var autoPoints: Int?
    var baselines: [MappingStrategy]
    var reference: Bool
  }

  func sweeps() throws -> [Seeded] {
    let (grid, autoPoints) = try parseLambdas(lambdas)
    let configuration = try options.configuration()
    let strategies = try chooseBaselines(baselines, for: configuration)
    let seedList = try seeds.map(parseSeeds) ?? [configuration.seed]
    return seedList.enumerated().map { index, seed in
      var seeded = configuration
      seeded.seed = seed
      return Seeded(
        folder: index == 0 ? out : out + "/" + Sweep.seedFolderPrefix + "\(seed)", configuration: seeded, lambdas: grid,
        autoPoints: autoPoints, baselines: strategies, reference: reference)
    }
  }
}

struct SweepRun: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "run", abstract: "Run (a shard of) a λ sweep.")

  @OptionGroup var sweep: SweepDefinition
  @Option(
    help: """
      I/N: run every N-th job (λ points, then baselines) starting at the I-th (1-based; with \
      --seeds the jobs of all seeds are numbered in a row). 'auto': in a Slurm array, the \
      task's share (from SLURM_ARRAY_TASK_ID, _MIN and _MAX, any --array range); elsewhere, \
      or in a sparse array, every job no other process is running (processes share the \
      folder's work among themselves).
      """) var shard = "1/1"
  @Flag(help: "End with every job's state as JSON (as sweep status --json prints it).") var json = false
  @Flag(help: "No progress on stderr (errors still appear).") var quiet = false
  @Option(help: "Also write every run's epoch scalars as TensorBoard event files: DIR/<run>, as in the sweep folder.")
  var tensorboard: String?

  func run() throws {
    try reportingErrors {
      let progress = RunProgress(quiet: quiet)
      let log = tensorboard.map { TensorBoardLog(root: $0, sweep: sweep.out) }
      let parts = try ShardSpec.parse(shard, environment: ProcessInfo.processInfo.environment)
      let sweeps = try sweep.sweeps()
      var offset = 0
      for seeded in sweeps {
        let tag = sweeps.count > 1 ? " (seed \(seeded.configuration.seed))" : ""
        // The folder's jobs (its sweep may hold more than this command adds) number the next seed's.
        offset += try Sweep.run(
          seeded.configuration, lambdas: seeded.lambdas, baselines: seeded.baselines, reference: seeded.reference,
          autoPoints: seeded.autoPoints, folder: seeded.folder, shard: parts.index, shards: parts.count,
          jobOffset: offset, observer: progress.observer(tag: tag, tensorboard: log))
      }
      try log?.check()
      if json { return try printJSON(try SweepStatus.read(folder: sweep.out)) }
      print("sweep shard \(shard) done in \(sweep.out); odimo sweep merge \(sweep.out) assembles it")
    }
  }
}

struct SweepResume: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "resume",
    abstract: "Continue the sweep a folder's manifest describes (and its seed-* folders).",
    discussion: """
      Everything comes from DIR/manifest.json, so a job script needs no other option: \
      odimo sweep submit's Slurm jobs run this. --warmup-only computes the shared warmups \
      (with --shard, the I-th seed's of N).
      """)

  @Argument(help: "Sweep folder.") var folder: String
  @Option(help: "I/N or auto, as for sweep run.") var shard = "1/1"
  @Flag(help: "Only compute (or resume) the shared warmup.") var warmupOnly = false
  @Flag(help: "No progress on stderr (errors still appear).") var quiet = false
  @Flag(help: "End with every job's state as JSON (as sweep status --json prints it).") var json = false
  @Option(help: "Also write every run's epoch scalars as TensorBoard event files: DIR/<run>, as in the sweep folder.")
  var tensorboard: String?

  func run() throws {
    try reportingErrors {
      let progress = RunProgress(quiet: quiet)
      let log = tensorboard.map { TensorBoardLog(root: $0, sweep: folder) }
      let parts = try ShardSpec.parse(shard, environment: ProcessInfo.processInfo.environment)
      let folders = [folder] + Sweep.seedFolders(in: folder)
      var offset = 0
      for (index, sweepFolder) in folders.enumerated() {
        let manifest = try SweepFolder(sweepFolder).readManifest()
        let tag = folders.count > 1 ? " (seed \(manifest.configuration.seed))" : ""
        if warmupOnly {
          if index % parts.count == parts.index - 1 {
            try Sweep.resume(
              folder: sweepFolder, warmupOnly: true, observer: progress.observer(tag: tag, tensorboard: log))
          }
          continue
        }
        try Sweep.resume(
          folder: sweepFolder, shard: parts.index, shards: parts.count, jobOffset: offset,
          observer: progress.observer(tag: tag, tensorboard: log))
        offset += manifest.jobCount
      }
      try log?.check()
      if json { return try printJSON(try SweepStatus.read(folder: folder)) }
      print("sweep \(folder): shard \(shard) done")
    }
  }
}

struct SweepStatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Where every job of a sweep stands: done, running (epoch, ETA), interrupted or waiting.",
    discussion: """
      Read from the folder alone (and its seed-* folders), so it works while shards run \
      elsewhere. Running: a process holds the job's lock; interrupted: its run file stopped \
      part-way and no process holds it (odimo sweep run resumes it); the ETA assumes the \
      remaining epochs take as long as the done ones.
      """)

  @Argument(help: "Sweep folder.") var folder: String
  @Flag(help: "Print the jobs as JSON.") var json = false

  func run() throws {
    try reportingErrors {
      let status = try SweepStatus.read(folder: folder)
      if json { return try printJSON(status) }
      let seeds = Set(status.jobs.map(\.seed)).count > 1
      for job in status.jobs {
        var line = (job.name + (seeds ? " (seed \(job.seed))" : "")).padding(toLength: 28, withPad: " ", startingAt: 0)
        line += job.state.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
        if let epochs = job.epochs { line += "epoch \(epochs)" + (job.scheduledEpochs.map { "/\($0)" } ?? "") + "  " }
        if let accuracy = job.testAccuracy { line += String(format: "%.2f %%  ", accuracy * 100) }
        if let latency = job.latencyCycles { line += String(format: "%.0f cycles  ", latency) }
        if let seconds = job.seconds, seconds > 0 { line += "\(TimeSpan.text(seconds))" }
        if let remaining = job.remainingSeconds, job.state != .done { line += ", ETA \(TimeSpan.text(remaining))" }
        if let detail = job.detail { line += "at \(detail)" }
        print(line.trimmingCharacters(in: .whitespaces))
      }
      let counts = Dictionary(grouping: status.jobs, by: \.state).mapValues(\.count)
      print(
        "\(status.jobs.count) jobs: "
          + [SweepStatus.State.done, .running, .interrupted, .waiting, .diverged]
          .map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", "))
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
      guard epsilon.isFinite, epsilon >= 0, epsilon < 100 else {
        throw InvalidOption("--epsilon", value: epsilon, expected: "0…100 accuracy points")
      }
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
      throw InvalidOption("--lambdas", value: text, expected: "a last item auto or auto:N with N ≥ 1 points in all")
    }
    autoPoints = count ?? -1
  }
  let values = items.compactMap { Double($0) }.filter { $0 >= 0 && $0.isFinite }
  guard values.count == items.count else {
    throw InvalidOption(
      "--lambdas", value: text, expected: "comma-separated numbers ≥ 0, optionally ending in auto[:N]")
  }
  let grid = items.isEmpty ? Sweep.defaultLambdas : values
  return (grid, autoPoints.map { $0 < 0 ? grid.count + 3 : $0 })
}

/// "0,1,2" → [0, 1, 2]: distinct non-negative integers.
func parseSeeds(_ text: String) throws -> [UInt64] {
  let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
  let seeds = parts.compactMap { UInt64($0) }
  guard !parts.isEmpty, seeds.count == parts.count, Set(seeds).count == seeds.count else {
    throw InvalidOption("--seeds", value: text, expected: "distinct integers ≥ 0 separated by commas (e.g. 0,1,2)")
  }
  return seeds
}
