import Engine
import Foundation
import HDF5
import Hardware
import Models
import Support

/// What a run file keeps so a killed search continues where it stopped: the trace (as
/// JSON), the weights (`/weights`), the optimizers' state and the best fine-tune weights.
/// Random draws derive from (seed, epoch), so the continued run equals an uninterrupted one.
struct ResumeState {
  struct Optimizers {
    let sgd: SGD
    let adam: Adam
    let best: (accuracy: Double, weights: [String: [Float]])?
    /// Kept until fine-tuning starts from them (`fineTuneFrom: .warmup`).
    let warmupWeights: [String: [Float]]?
    /// The best search epoch's score and architecture logits.
    let bestSearch: (score: Double, logits: [String: [Float]])?

    func write(to file: HDF5File) throws {
      for (name, values) in sgd.velocity {
        try file.write(values, to: "state/sgd_velocity/\(name)", options: .archived())
      }
      for (name, values) in adam.firstMoment {
        try file.write(values, to: "state/adam_m/\(name)", options: .archived())
      }
      for (name, values) in adam.secondMoment {
        try file.write(values, to: "state/adam_v/\(name)", options: .archived())
      }
      try file.createGroup("state")
      try file.setAttribute("adam_steps", .int(Int64(adam.steps)), at: "state")
      if let best {
        try file.setAttribute("best_accuracy", .double(best.accuracy), at: "state")
        for (name, values) in best.weights { try file.write(values, to: "state/best/\(name)", options: .archived()) }
      }
      if let bestSearch {
        try file.setAttribute("best_search_score", .double(bestSearch.score), at: "state")
        for (name, values) in bestSearch.logits {
          try file.write(values, to: "state/best_search/\(name)", options: .archived())
        }
      }
      for (name, values) in warmupWeights ?? [:] {
        try file.write(values, to: "state/warmup/\(name)", options: .archived())
      }
    }
  }

  var trace: [TraceRow]
  var weights: [String: [Float]]
  var velocity: [String: [Float]]
  var adamSteps: Int
  var adamFirst: [String: [Float]]
  var adamSecond: [String: [Float]]
  var best: (accuracy: Double, weights: [String: [Float]])?
  var warmupWeights: [String: [Float]]?
  var bestSearch: (score: Double, logits: [String: [Float]])?
  /// Who made the run so far (nil in files written before provenance was kept).
  var provenance: RunProvenance?

  /// Reads the state of the run at `path`, refusing a finished run or one written with
  /// other options (the message lists the differences).
  static func read(_ path: String, configuration: SearchConfiguration, baseline: MappingStrategy?) throws -> ResumeState
  {
    let file = try RunFileFormat.open(path)
    defer { file.close() }
    guard try !RunFileFormat.isComplete(file) else {
      throw SearchError.runFile(file: path, problem: .alreadyComplete)
    }
    if let note = try RunFileFormat.optionalString(.diverged, in: file) {
      throw SearchError.runFile(file: path, problem: .diverged(note))
    }
    let savedBaseline = try RunFileFormat.optionalString(.baseline, in: file)
    guard savedBaseline == baseline?.name else {
      throw SearchError.runFile(
        file: path,
        problem: .otherKind(
          saved: savedBaseline.map { "baseline \($0)" } ?? "a search",
          requested: baseline.map { "baseline \($0.name)" } ?? "a search"))
    }
    let now = String(decoding: try JSONEncoder.sorted.encode(configuration), as: UTF8.self)
    let saved = try RunFileFormat.configurationText(file)
    guard saved == now else {
      throw SearchError.runFile(
        file: path, problem: .otherOptions(configurationDifferences(saved: saved, now: now)))
    }
    let (_, trace) = try RunFileFormat.configurationAndTrace(file, path: path)
    let bestWeights = try RunFileFormat.arrays(file, "state/best")
    let best =
      bestWeights.isEmpty
      ? nil : (try file.attribute("best_accuracy", at: "state").doubleValue ?? -1, bestWeights)
    return ResumeState(
      trace: trace, weights: try RunFileFormat.arrays(file, RunFileFormat.weightsGroup),
      velocity: try RunFileFormat.arrays(file, "state/sgd_velocity"),
      adamSteps: Int(try file.attribute("adam_steps", at: "state").intValue ?? 0),
      adamFirst: try RunFileFormat.arrays(file, "state/adam_m"),
      adamSecond: try RunFileFormat.arrays(file, "state/adam_v"), best: best,
      warmupWeights: file.contains("state/warmup") ? try RunFileFormat.arrays(file, "state/warmup") : nil,
      bestSearch: file.contains("state/best_search")
        ? (
          try file.attribute("best_search_score", at: "state").doubleValue ?? .infinity,
          try RunFileFormat.arrays(file, "state/best_search")
        ) : nil, provenance: try RunFileFormat.provenance(file, path: path))
  }
}
