import Datasets
import Engine
import Foundation
import HDF5
import Hardware
import Models

/// One search phase.
public enum SearchPhase: Int, Sendable, Codable {
  case warmup, search, fineTune
}

/// One row of a run's trace.
public struct TraceRow: Sendable, Codable {
  public var phase: SearchPhase
  public var epoch: Int
  public var trainLoss: Double
  public var trainAccuracy: Double
  public var validationLoss: Double
  public var validationAccuracy: Double
  public var lambda: Double
  /// λ's cost term at the end of the epoch (scaled by the run's cost scale).
  public var softCost: Double
  /// Exact figures of the discrete mapping at the end of the epoch.
  public var latencyCycles: Double
  public var energyMicrojoules: Double?
  public var temperature: Double
  public var learningRate: Double
  /// Channels per unit of every searchable layer (layers × units, in plan option order).
  public var channels: [[Int]]
  /// Wall time of the epoch, validation included (seconds; nil in files from before it was kept).
  public var seconds: Double? = nil
  /// Epochs the run's schedule has in all (nil in files from before it was kept).
  public var scheduledEpochs: Int? = nil
}

/// The outcome of a search.
public struct SearchResult: Sendable {
  public let mapping: Mapping
  public let cost: NetworkCostReport
  public let testAccuracy: Double
  public let trace: [TraceRow]
}

/// Warmup → search → fine-tune for one λ, writing the run file after every epoch.
public enum SearchRun {
  /// The run files' format name (`RunFileFormat` owns the format).
  public static let formatName = RunFileFormat.name

  /// Searches (baseline nil) or trains a hand-made mapping with the same protocol: the
  /// warmup, then the mapping frozen for the fine-tune epochs (plus the search epochs when
  /// the preset fine-tunes from the searched weights), so accuracies compare. `warmStart`
  /// holds the weights of a warmup already run with this configuration (a sweep's shared
  /// one: the float model's weights after a float warmup, else the supernet's), which then
  /// replaces the warmup phase; pass it again when resuming.
  public static func run(
    _ configuration: SearchConfiguration, out path: String, baseline: MappingStrategy? = nil,
    warmStart: [String: [Float]]? = nil, resume: Bool = false, observer: RunObserver = .silent
  ) throws -> SearchResult {
    try configuration.validate()
    let exists = FileManager.default.fileExists(atPath: path)
    if exists && !resume { throw SearchError.runFile(file: path, problem: .exists) }
    if !exists && resume { throw SearchError.runFile(file: path, problem: .nothingToResume) }
    let runner = try SearchRunner(configuration, path: path, baseline: baseline, warmStart: warmStart)
    if resume { try runner.resume() }
    observer.begin(RunObserver.Run(path: path, channelTags: runner.channelTags))
    for epoch in runner.schedule.epochs where epoch.index >= runner.trace.count {
      // Early stopping ends the fine-tune (the best epoch's weights are the result either way).
      if runner.hasStoppedEarly { break }
      if epoch.inPhase == 0 { try runner.enter(epoch.phase) }
      observer.epoch(try runner.train(epoch, observer: observer))
    }
    return try runner.finish()
  }
}
