import ArgumentParser
import Foundation
import HDF5
import Search
import Support

struct SweepSubmit: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "submit",
    abstract: "Run a sweep as Slurm jobs: warmups, then an array of its jobs, then fill, merge and report.",
    discussion: """
      Writes the sweep's manifests (one per seed) and three job scripts into OUT/slurm/, and \\
      submits them with sbatch: warmup.sbatch (an array over seeds: each seed's shared \\
      warmup), jobs.sbatch (an array with one task per λ point, baseline and float \\
      reference of every seed, after the warmups succeed) and finish.sbatch (after the \\
      array: λ filling for --lambdas auto, anything a failed task left, sweep merge and \\
      odimo report into OUT/report). Every job runs odimo sweep resume OUT, which reads \\
      the manifest and resumes interrupted work, so the scripts are safe to requeue \\
      (--requeue) or to resubmit after a time limit or scancel. Logs go to OUT/slurm/; \\
      odimo sweep status OUT shows every job's state.

      Example: odimo sweep submit --soc darkside --model mobilenetv1 --data fm.h5 \\
        --preset standard --seeds 0,1 --baselines all --reference --out sweeps/dark \\
        --partition cpu --time 04:00:00 --cpus-per-task 4
      """)

  @OptionGroup var sweep: SweepDefinition
  @Option(help: "Slurm partition (sbatch --partition).") var partition: String?
  @Option(help: "Time limit per job (sbatch --time, e.g. 04:00:00).") var time: String?
  @Option(help: "CPUs per task (sbatch --cpus-per-task; also odimo's thread count).") var cpusPerTask: Int?
  @Option(help: "Memory per task (sbatch --mem, e.g. 8G).") var mem: String?
  @Option(help: "Another sbatch option for every job (repeatable), e.g. --sbatch-arg=--account=ml.")
  var sbatchArg: [String] = []
  @Flag(help: "Write the scripts and print the sbatch commands without submitting.") var dryRun = false
  @Flag(help: "Print the submitted job ids as JSON (warmup, jobs, finish, tasks).") var json = false

  func run() throws {
    try reportingErrors {
      if let cpusPerTask, cpusPerTask < 1 {
        throw InvalidOption("--cpus-per-task", value: cpusPerTask, expected: "≥ 1")
      }
      let sweeps = try sweep.sweeps()
      let manifests = try sweeps.map { seeded in
        try Sweep.prepare(
          seeded.configuration, lambdas: seeded.lambdas, baselines: seeded.baselines, reference: seeded.reference,
          autoPoints: seeded.autoPoints, folder: seeded.folder)
      }
      let folder = absolutePath(sweep.out)
      // The folders' jobs: a sweep extended by this command keeps its earlier ones.
      let jobs = manifests.reduce(0) { $0 + $1.jobCount }
      let scripts = SlurmScripts(
        folder: folder, odimo: URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path,
        seeds: sweeps.count, jobs: jobs, options: directives)
      let written = try scripts.write()
      if dryRun {
        print("wrote \(written.joined(separator: ", ")); submit with:")
        for line in scripts.submission { print("  " + line) }
        return
      }
      let ids = try scripts.submit()
      if json {
        return try printJSON(["warmup": ids[0], "jobs": ids[1], "finish": ids[2], "tasks": "\(jobs)"])
      }
      print(
        "submitted warmup \(ids[0]), jobs \(ids[1]) (array of \(jobs)), finish \(ids[2]); odimo sweep status \(folder)")
    }
  }

  /// `#SBATCH` lines every job gets.
  var directives: [String] {
    var lines: [String] = []
    if let partition { lines.append("--partition=\(partition)") }
    if let time { lines.append("--time=\(time)") }
    if let cpusPerTask { lines.append("--cpus-per-task=\(cpusPerTask)") }
    if let mem { lines.append("--mem=\(mem)") }
    return lines + sbatchArg
  }
}

/// The three job scripts of a submitted sweep and their submission.
struct SlurmScripts {
  let folder: String
  let odimo: String
  let seeds: Int
  let jobs: Int
  let options: [String]

  var scriptFolder: String { folder + "/slurm" }

  func script(_ name: String, array: Int?, commands: [String]) -> String {
    var lines = ["#!/bin/bash", "#SBATCH --job-name=odimo-\(name)", "#SBATCH --requeue", "#SBATCH --open-mode=append"]
    if let array {
      lines.append("#SBATCH --array=1-\(array)")
      lines.append("#SBATCH --output=\(scriptFolder)/\(name)-%A_%a.log")
    } else {
      lines.append("#SBATCH --output=\(scriptFolder)/\(name)-%j.log")
    }
    lines += options.map { "#SBATCH \($0)" }
    lines += [
      "# Written by odimo sweep submit; every step resumes what an earlier attempt left.", "set -euo pipefail",
      "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"",
    ]
    return (lines + commands).joined(separator: "\n") + "\n"
  }

  var scripts: [(name: String, text: String)] {
    let odimo = quoted(self.odimo)
    let folder = quoted(self.folder)
    return [
      (
        "warmup",
        script("warmup", array: seeds, commands: ["\(odimo) sweep resume \(folder) --warmup-only --shard auto"])
      ),
      ("jobs", script("jobs", array: jobs, commands: ["\(odimo) sweep resume \(folder) --shard auto"])),
      (
        "finish",
        script(
          "finish", array: nil,
          commands: [
            "\(odimo) sweep resume \(folder)", "\(odimo) sweep merge \(folder)",
            "\(odimo) report \(folder) --out \(quoted(self.folder + "/report"))",
          ])
      ),
    ]
  }

  /// The sbatch calls, in order (the ids of earlier ones written as $WARMUP, $JOBS).
  var submission: [String] {
    [
      "WARMUP=$(sbatch --parsable \(quoted(scriptFolder + "/warmup.sbatch")))",
      "JOBS=$(sbatch --parsable --dependency=afterok:$WARMUP \(quoted(scriptFolder + "/jobs.sbatch")))",
      "sbatch --parsable --dependency=afterany:$JOBS \(quoted(scriptFolder + "/finish.sbatch"))",
    ]
  }

  func write() throws -> [String] {
    try FileManager.default.createDirectory(atPath: scriptFolder, withIntermediateDirectories: true)
    return try scripts.map { script in
      let path = scriptFolder + "/\(script.name).sbatch"
      try SafeWrite.write(Data(script.text.utf8), to: path)
      try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
      return path
    }
  }

  /// Submits the three scripts with their dependencies; returns the job ids.
  func submit() throws -> [String] {
    let warmup = try sbatch([scriptFolder + "/warmup.sbatch"])
    let jobs = try sbatch(["--dependency=afterok:\(warmup)", scriptFolder + "/jobs.sbatch"])
    // afterany: the finishing job also completes whatever a failed task left.
    let finish = try sbatch(["--dependency=afterany:\(jobs)", scriptFolder + "/finish.sbatch"])
    return [warmup, jobs, finish]
  }

  private func sbatch(_ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sbatch", "--parsable"] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do { try process.run() } catch {
      throw InputError("cannot run sbatch (\(error)); is Slurm installed here? --dry-run writes the scripts only")
    }
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let id = text.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
    guard process.terminationStatus == 0, !id.isEmpty else {
      throw InputError(
        "sbatch \(arguments.joined(separator: " ")) failed: \(problem.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
    return id
  }

  private func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
