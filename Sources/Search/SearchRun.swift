import Datasets
import Engine
import Foundation
import HDF5
import Hardware
import Models

/// One search phase.
package enum SearchPhase: Int, Sendable, Codable {
  case warmup, search, fineTune
}

/// One row of a run's trace.
package struct TraceRow: Sendable, Codable {
  package var phase: SearchPhase
  package var epoch: Int
  package var trainLoss: Double
  package var trainAccuracy: Double
  package var validationLoss: Double
  package var validationAccuracy: Double
  package var lambda: Double
  /// λ's cost term at the end of the epoch (scaled by the run's cost scale).
  package var softCost: Double
  /// Exact figures of the discrete mapping at the end of the epoch.
  package var latencyCycles: Double
  package var energyMicrojoules: Double?
  package var temperature: Double
  package var learningRate: Double
  /// Channels per unit of every searchable layer (layers × units, in plan option order).
  package var channels: [[Int]]
  /// Wall time of the epoch, validation included (seconds; nil in files from before it was kept).
  package var seconds: Double? = nil
  /// Epochs the run's schedule has in all (nil in files from before it was kept).
  package var scheduledEpochs: Int? = nil
}

/// The outcome of a search.
package struct SearchResult: Sendable {
  package let mapping: Mapping
  package let cost: NetworkCostReport
  package let testAccuracy: Double
  package let trace: [TraceRow]
}

/// Warmup → search → fine-tune for one λ, writing the run file after every epoch.
package enum SearchRun {
  /// The run files' format name (`RunFileFormat` owns the format).
  package static let formatName = RunFileFormat.name

  /// Searches (baseline nil) or trains a hand-made mapping with the same protocol: the
  /// warmup, then the mapping frozen for the fine-tune epochs (plus the search epochs when
  /// the preset fine-tunes from the searched weights), so accuracies compare. `warmStart`
  /// holds the weights of a warmup already run with this configuration (a sweep's shared
  /// one: the float model's weights after a float warmup, else the supernet's), which then
  /// replaces the warmup phase; pass it again when resuming.
  package static func run(
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
