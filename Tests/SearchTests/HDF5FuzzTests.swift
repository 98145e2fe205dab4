import Datasets
import Engine
import Foundation
import HDF5
import Hardware
import Models
import TestSupport
import Testing

@testable import Search

/// Structure-aware fuzzing of the HDF5 files odimo reads back — datasets, run files and
/// checkpoints — as h5py edits or a damaged copy may leave them: objects removed, attributes
/// given other values and types (NaN, ∞, huge, empty, wrong JSON), datasets replaced by
/// others of another shape, type or content. Every mutant must be read (and used: batches
/// loaded, weights loaded into the network) or refused with an error; never a crash or a
/// hang. 2,000 mutants per format (`ODIMO_FUZZ_CASES`).
///
/// Raw byte corruption is not fuzzed here: HDF5 1.10.8 itself crashes on some corrupted
/// global heaps (where variable-length strings live; about 1 in 100 random byte edits of a
/// dataset file), which no caller can check through its API (README, storage conventions).
@Suite struct HDF5FuzzTests {
  let scratch = ScratchFolder(inMemory: true)

  static let preset = SearchPreset(
    name: "tiny", warmupEpochs: 1, searchEpochs: 1, fineTuneEpochs: 1, batchSize: 32, learningRate: 0.05,
    logitLearningRate: 0.2, initialTemperature: 1, finalTemperature: 0.5)

  /// Edits an HDF5 file in place through the library, as h5py would.
  struct Editor {
    var mutator: Mutator

    static let strings = ["", "nan", "x", "{}", "[]", "{\"a\":", "999999999999999999999", "-1", "odimo-run", "é"]
    static let doubles = [Double.nan, .infinity, -.infinity, 0, -1, 1e308, -1e308, 0.5, 1e-320]
    static let integers: [Int64] = [0, -1, 1, 2, 9, 10, 255, 1 << 31, .max, .min]

    mutating func value() -> AttributeValue {
      switch mutator.below(6) {
      case 0: .string(Self.strings[mutator.below(Self.strings.count)])
      case 1: .int(Self.integers[mutator.below(Self.integers.count)])
      case 2: .double(Self.doubles[mutator.below(Self.doubles.count)])
      case 3: .strings((0..<mutator.below(4)).map { _ in Self.strings[mutator.below(Self.strings.count)] })
      case 4: .ints((0..<mutator.below(4)).map { _ in Self.integers[mutator.below(Self.integers.count)] })
      default: .doubles((0..<mutator.below(4)).map { _ in Self.doubles[mutator.below(Self.doubles.count)] })
      }
    }

    /// One to three edits of `path`.
    mutating func edit(_ path: String) throws {
      let file = try HDF5File.open(path, writable: true)
      defer { file.close() }
      for _ in 0..<(1 + mutator.below(3)) {
        let objects = try file.walk().map(\.path)
        let target = objects[mutator.below(objects.count)]
        switch mutator.below(4) {
        case 0 where target != "/":
          try? file.remove(target)
        case 1:
          let names = try file.attributeNames(at: target)
          let name = names.isEmpty || mutator.below(4) == 0 ? "format" : names[mutator.below(names.count)]
          try? file.setAttribute(name, value(), at: target)
        case 2 where (try? file.kind(of: target)) == .dataset:
          try replaceDataset(target, in: file)
        default:
          let names = try file.attributeNames(at: target)
          if !names.isEmpty { try? file.setAttribute(names[mutator.below(names.count)], value(), at: target) }
        }
      }
      try file.finish()
    }

    /// Replaces a dataset by one of another length or element type, keeping its name.
    mutating func replaceDataset(_ target: String, in file: HDF5File) throws {
      let old = try file.dataset(target)
      let count = max(0, old.shape.reduce(1, *) + [-1, 0, 1, 7, -old.shape.reduce(1, *)][mutator.below(5)])
      let rows = max(old.shape.first ?? 1, 1)
      let shape = count > 0 && count % rows == 0 && mutator.below(2) == 0 ? [rows, count / rows] : [count]
      try file.remove(target)
      switch mutator.below(3) {
      case 0:
        let values = (0..<count).map { _ in Float(Self.doubles[mutator.below(Self.doubles.count)]) }
        try file.write(values, to: target, shape: shape)
      case 1:
        let values = (0..<count).map { _ in Self.integers[mutator.below(Self.integers.count)] }
        try file.write(values, to: target, shape: shape)
      default:
        let values = (0..<count).map { _ in UInt8(truncatingIfNeeded: mutator.next()) }
        try file.write(values, to: target, shape: shape)
      }
    }
  }

  /// Runs `use` on `Mutator.cases` edited copies of `base`; returns (used, refused).
  private func fuzz(_ base: String, seed: UInt64, _ use: (String) throws -> Void) throws -> (Int, Int) {
    var editor = Editor(mutator: Mutator(state: seed))
    var counts = (0, 0)
    let path = scratch.file("mutant.h5")
    for _ in 0..<Mutator.cases {
      try? FileManager.default.removeItem(atPath: path)
      try FileManager.default.copyItem(atPath: base, toPath: path)
      try editor.edit(path)
      do {
        try use(path)
        counts.0 += 1
      } catch {
        counts.1 += 1
      }
    }
    return counts
  }

  @Test func datasetFilesNeverCrash() throws {
    let data = scratch.file("data.h5")
    try QuadrantData.write(data, train: 64, validation: 16, test: 16)
    let (used, refused) = try fuzz(data, seed: 0xDA7A) { path in
      let dataset = try DatasetFile(path: path)
      try dataset.checkForTraining()
      for split in ["train", try dataset.validationSplit(), "test"] {
        let stream = try BatchLoader.evaluation(path: path, split: split).batches(epoch: 0)
        while try stream.nextBatch() != nil {}
      }
    }
    #expect(used > 0 && refused > 0, "\(used) used, \(refused) refused")
  }

  // Run files and checkpoints are separate tests so that the two longest fuzz loops of
  // the suite run side by side.
  @Test func runFilesNeverCrash() throws {
    let data = scratch.file("data.h5")
    try QuadrantData.write(data, train: 64, validation: 16, test: 16)
    let run = scratch.file("run.h5")
    _ = try SearchRun.run(
      SearchConfiguration(
        soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: 1, preset: Self.preset), out: run)
    let runs = try fuzz(run, seed: 0x2E7) { path in
      let file = try RunFile.read(path)
      _ = try Mapping.load(path)
      _ = file.provenance
    }
    #expect(runs.0 > 0 && runs.1 > 0, "run files: \(runs)")
  }

  @Test func checkpointsNeverCrash() throws {
    let data = scratch.file("data.h5")
    try QuadrantData.write(data, train: 64, validation: 16, test: 16)
    let checkpoint = scratch.file("checkpoint.h5")
    _ = try TrainingRun.run(
      TrainingConfiguration(model: "resnet8", data: data, epochs: 1, batchSize: 32), checkpoint: checkpoint,
      resume: false)
    let checkpoints = try fuzz(checkpoint, seed: 0xC4E) { path in
      let (architecture, _) = try Checkpoint.inspect(path)
      try Checkpoint.load(path, into: Network(architecture, seed: 0))
    }
    #expect(checkpoints.0 > 0 && checkpoints.1 > 0, "checkpoints: \(checkpoints)")
  }
}
