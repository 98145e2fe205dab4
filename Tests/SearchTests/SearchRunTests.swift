import Datasets
import Engine
import Foundation
import HDF5
import Hardware
import Models
import Support
import TestSupport
import Testing

@testable import Search

@Suite struct SearchRunTests {
  let scratch = ScratchFolder()

  private func makeData() throws -> String {
    let path = scratch.file("quadrants.h5")
    try QuadrantData.write(path)
    return path
  }

  static let tiny = SearchPreset(
    name: "tiny", warmupEpochs: 1, searchEpochs: 1, fineTuneEpochs: 1, batchSize: 32, learningRate: 0.05,
    logitLearningRate: 0.2, initialTemperature: 1, finalTemperature: 0.5)

  @Test func dianaSearchWritesATraceAndAMappingThatCostsLess() throws {
    let data = try makeData()
    var results: [Double: SearchResult] = [:]
    for lambda in [0.0, 20.0] {
      let path = scratch.file("run-\(lambda).h5")
      let configuration = SearchConfiguration(
        soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: lambda, preset: Self.tiny)
      results[lambda] = try SearchRun.run(configuration, out: path)
      let file = try HDF5File.open(path)
      #expect(try file.read("trace/phase", as: Double.self) == [0, 1, 2])
      // Every convolution and the classifier (as a 1×1 convolution) are searched.
      #expect(try file.dataset("trace/channels").shape == [3, 10, 2])
      #expect(try file.attribute("complete") == .int(1))
      let mapping = try Mapping.read(from: file)
      let model = try ModelZoo.make("resnet8", resolution: 16, channels: 1, classes: 4)
      let plan = try NetworkPlan(architecture: model, soc: .diana)
      #expect(try plan.cost(of: mapping).latencyCycles == results[lambda]?.cost.latencyCycles)
      #expect(throws: SearchError.runFile(file: path, problem: .exists)) { try SearchRun.run(configuration, out: path) }
    }
    let free = try #require(results[0.0]?.cost.latencyCycles)
    let penalised = try #require(results[20.0]?.cost.latencyCycles)
    #expect(penalised < free, "λ = 20 should map to a faster network: \(penalised) vs \(free)")
  }

  /// An epoch whose mean cross-entropy is not finite or over 100·ln(classes) diverged: the
  /// full-scale DIANA fine-tune that averaged 2.2e6 and ended at 10 % is one; a network
  /// still learning (a few nats) is not.
  @Test func anExplodedLossIsADivergence() {
    #expect(!SearchRunner.lossExploded(2.3, classes: 10))
    #expect(!SearchRunner.lossExploded(40, classes: 10))
    #expect(SearchRunner.lossExploded(2_191_340, classes: 10))
    #expect(SearchRunner.lossExploded(300, classes: 10))
    #expect(SearchRunner.lossExploded(.nan, classes: 10))
    #expect(SearchRunner.lossExploded(.infinity, classes: 4))
  }

  @Test func darksideSearchMovesChannelsToTheDepthwiseEngine() throws {
    let data = try makeData()
    let configuration = SearchConfiguration(
      soc: "darkside", model: "mobilenetv1", width: 0.25, data: data, metric: .latency, lambda: 50, preset: Self.tiny)
    let path = scratch.file("dark.h5")
    let result = try SearchRun.run(configuration, out: path)
    let blocks = result.cost.layers.filter { $0.units.count == 2 }
    #expect(blocks.count == 8)
    // Started all-cluster; a large λ must have moved some channels to the cheaper DWE.
    #expect(blocks.contains { $0.units[1].channels > 0 })
    #expect(result.trace.count == 3)
    // The run file keeps each block's thermometric logits, which reproduce its split
    // (what --resume restores), and its claims re-derive exactly.
    let file = try HDF5File.open(path)
    for block in blocks {
      let alpha = try file.read("weights/\(block.name).alpha", as: Float.self)
      let thresholds = alpha.indices.map { i in alpha[i...].reduce(0) { $0 + abs($1) } }
      #expect(thresholds.filter { $0 > 0.5 }.count == block.units[0].channels, "\(block.name)")
    }
    file.close()
    let run = try RunFile.read(path)
    #expect(try run.recomputedAccuracy() == result.testAccuracy)
    #expect(try run.recomputedCost().latencyCycles == result.cost.latencyCycles)
  }

  @Test func lambdaRampsUpAndFineTuningStopsEarly() throws {
    let data = try makeData()
    var preset = Self.tiny
    preset.searchEpochs = 2
    preset.fineTuneEpochs = 4
    preset.lambdaRampEpochs = 2
    preset.patience = 1
    preset.foldedLearningRate = 1e-12  // nothing improves, so the fine-tune stops after one stale epoch
    let configuration = SearchConfiguration(
      soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: 6, preset: preset)
    let result = try SearchRun.run(configuration, out: scratch.file("ramp.h5"))
    #expect(result.trace.filter { $0.phase == .search }.map(\.lambda) == [3, 6])
    #expect(result.trace.filter { $0.phase == .fineTune }.count == 2)
    #expect(result.trace.filter { $0.phase == .warmup }.map(\.lambda) == [6])
  }

  @Test func baselinesTrainTheirMappingAndCostLikeTheHeuristics() throws {
    let data = try makeData()
    let model = try ModelZoo.make("resnet8", resolution: 16, channels: 1, classes: 4)
    let strategies = MappingStrategy.baselines(for: .diana, model: model).map(\.name)
    #expect(strategies == ["all-digital", "all-analog", "balanced", "min-latency-max8bit"])
    let plan = try NetworkPlan(architecture: model, soc: .diana)
    for strategy in [MappingStrategy.allOn(unit: "analog"), .minLatencyMaxPrecision] {
      let configuration = SearchConfiguration(
        soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: 0, preset: Self.tiny)
      let result = try SearchRun.run(configuration, out: scratch.file("\(strategy.name).h5"), baseline: strategy)
      let expected = try plan.cost(of: try plan.mapping(strategy))
      // Every layer, the classifier included, has the heuristic's split.
      #expect(result.cost.layers == expected.layers)
      // The searched networks' budget: warmup, then fine-tune for search + fine-tune epochs
      // (the tiny preset fine-tunes from the searched weights).
      #expect(result.trace.map(\.phase) == [.warmup, .fineTune, .fineTune])
    }
    let mobile = try ModelZoo.make("mobilenetv1", resolution: 16, channels: 1, classes: 4, width: 0.25)
    #expect(
      MappingStrategy.baselines(for: .darkside, model: mobile).map(\.name) == [
        "all-cluster", "all-dwe", "balanced", "dws",
      ])
    let dws = try SearchRun.run(
      SearchConfiguration(
        soc: "darkside", model: "mobilenetv1", width: 0.25, data: data, metric: .latency, lambda: 0, preset: Self.tiny),
      out: scratch.file("dws.h5"), baseline: .depthwiseSeparable)
    let dwsPlan = try NetworkPlan(architecture: mobile, soc: .darkside, replaceBlocks: false)
    #expect(dws.cost.latencyCycles == (try dwsPlan.cost(of: try dwsPlan.mapping(.depthwiseSeparable))).latencyCycles)
  }

  /// A run stopped after any epoch — the last one included, where only the test is left —
  /// resumes to the uninterrupted run's accuracy, cost and weights: for a search fine-tuned
  /// from the warmup or from the searched weights, and for a baseline. (A Slurm task
  /// cancelled after its last epoch once tested its network unfrozen: 12.77 % instead of 13.6 %.)
  @Test(arguments: [SearchPreset.FineTuneStart.warmup, .searched])
  func aRunStoppedAfterAnyEpochResumesToTheSameResult(fineTuneFrom: SearchPreset.FineTuneStart) throws {
    let data = try makeData()
    var preset = Self.tiny
    preset.fineTuneFrom = fineTuneFrom
    let configuration = SearchConfiguration(
      soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: 0.5, preset: preset)
    for baseline in [nil, MappingStrategy.minLatencyMaxPrecision] {
      let tag = "\(fineTuneFrom)-\(baseline?.name ?? "search")"
      let path = scratch.file("whole-\(tag).h5")
      var stops: [String] = []
      // The run file as a kill right after the epoch's save leaves it.
      let copyEveryEpoch = RunObserver(epoch: { row in
        let stop = scratch.file("stop-\(tag)-\(row.epoch).h5")
        try? FileManager.default.copyItem(atPath: path, toPath: stop)
        stops.append(stop)
      })
      let whole = try SearchRun.run(configuration, out: path, baseline: baseline, observer: copyEveryEpoch)
      #expect(stops.count == whole.trace.count)
      for stop in stops {
        let resumed = try SearchRun.run(configuration, out: stop, baseline: baseline, resume: true)
        #expect(resumed.testAccuracy == whole.testAccuracy, "\(stop)")
        #expect(resumed.cost.latencyCycles == whole.cost.latencyCycles, "\(stop)")
        #expect(
          try RunFileFormat.arrays(try HDF5File.open(stop), RunFileFormat.weightsGroup)
            == (try RunFileFormat.arrays(try HDF5File.open(path), RunFileFormat.weightsGroup)), "\(stop)")
      }
    }
  }

  /// A resume refused for other options names just the fields that changed, nested ones
  /// dotted, in sorted order: a preset file's warmup against the built-in preset's.
  @Test func configurationDifferencesNameOnlyTheChangedFields() throws {
    var saved = SearchConfiguration(
      soc: "diana", model: "resnet20", data: "d.h5", metric: .latency, lambda: 0, preset: .standard)
    var now = saved
    now.preset.name = "standard-searched"
    now.preset.fineTuneFrom = .searched
    let text = { (configuration: SearchConfiguration) in
      String(decoding: try JSONEncoder.sorted.encode(configuration), as: UTF8.self)
    }
    #expect(
      configurationDifferences(saved: try text(saved), now: try text(now))
        == "preset.fine_tune_from: saved warmup, now searched; preset.name: saved standard, now standard-searched")
    saved.seed = 1
    #expect(configurationDifferences(saved: try text(saved), now: try text(now)).hasPrefix("preset.fine_tune_from"))
    #expect(configurationDifferences(saved: try text(saved), now: try text(now)).hasSuffix("seed: saved 1, now 0"))
    #expect(configurationDifferences(saved: try text(now), now: try text(now)) == "(formatting only)")
  }

  /// A run file names its dataset by absolute path and SHA-256 and keeps the SoC
  /// description's text: editing the description afterwards does not change what the run
  /// re-costs to, and a built-in SoC is recorded as such.
  @Test func runFilesKeepTheirProvenance() throws {
    let data = try makeData()
    let description = scratch.file("mine.toml")
    let shipped = try #require(SoCCatalogue.shippedDescriptions["trio"])
    let text = try String(contentsOf: shipped, encoding: .utf8)
    try text.write(toFile: description, atomically: true, encoding: .utf8)
    let configuration = SearchConfiguration(
      soc: description, model: "resnet8", data: data, metric: .latency, lambda: 1, preset: Self.tiny)
    let path = scratch.file("provenance.h5")
    let result = try SearchRun.run(configuration, out: path)
    let run = try RunFile.read(path)
    let provenance = try #require(run.provenance)
    #expect(provenance.datasetPath == URL(fileURLWithPath: data).standardizedFileURL.path)
    #expect(provenance.datasetSHA256 == (try SHA256.hexDigest(ofFile: data)))
    #expect(provenance.socDescription == text)
    #expect(provenance.version == RunProvenance.odimoVersion && !provenance.commit.isEmpty)
    // Every unit twice as slow in the file on disk: the stored text still rules.
    try text.replacingOccurrences(of: "cycles = \"", with: "cycles = \"2 * ")
      .write(toFile: description, atomically: true, encoding: .utf8)
    #expect(try run.recomputedCost().latencyCycles == result.cost.latencyCycles)
    #expect(
      try RunFile.cost(of: run.mapping, configuration: configuration, soc: SoCCatalogue.soc(description))
        .latencyCycles > result.cost.latencyCycles)

    var builtin = configuration
    builtin.soc = "diana"
    _ = try SearchRun.run(builtin, out: scratch.file("builtin.h5"))
    #expect(try RunFile.read(scratch.file("builtin.h5")).provenance?.socDescription == "builtin diana")
  }

  @Test func badRequestsAreRefused() throws {
    let data = try makeData()
    let negative = SearchConfiguration(soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: -1)
    let refused = try #require(throws: InvalidOption.self) { try SearchRun.run(negative, out: scratch.file("n.h5")) }
    #expect(refused.option == "--lambda")
    let energy = SearchConfiguration(
      soc: "trio", model: "resnet8", data: data, metric: .energy, lambda: 1, preset: Self.tiny)
    // trio has power data; a description without [power] cannot search energy.
    let noPower = scratch.file("nopower.toml")
    try """
    name = "np"
    clock_mhz = 100
    mapping_style = "shared-weights"
    [[units]]
    name = "a"
    operations = ["convolution", "linear"]
    weights = "int8"
    activations = "uint8"
    cycles = "ch * c_in"
    [[units]]
    name = "b"
    operations = ["convolution"]
    weights = "ternary"
    activations = "uint8"
    cycles = "ch * 2"
    """.write(toFile: noPower, atomically: true, encoding: .utf8)
    var withoutPower = energy
    withoutPower.soc = noPower
    let error = try #require(throws: InvalidOption.self) { try SearchRun.run(withoutPower, out: scratch.file("e.h5")) }
    #expect(error.option == "--metric")

    // Weights from a model with another class count (here: 10 classes against this
    // 4-class dataset) are refused with both counts named.
    let tenClasses = try ModelZoo.make("resnet8", resolution: 16, channels: 1, classes: 10)
    let foreign = Network(try Supernet(model: tenClasses, soc: .diana).architecture, seed: 0).snapshot()
    let configuration = SearchConfiguration(
      soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: 0, preset: Self.tiny)
    let mismatch = try #require(throws: SearchError.self) {
      try SearchRun.run(configuration, out: scratch.file("w.h5"), warmStart: foreign)
    }
    #expect(mismatch.description.contains("4 classes") && mismatch.description.contains("classifier"))
  }
}

@Suite struct SweepTests {
  let scratch = ScratchFolder()

  /// A sweep folder `name` and the configuration of a tiny DIANA ResNet-8 sweep on fresh quadrant data.
  private func tinySweep(_ name: String) throws -> (folder: String, configuration: SearchConfiguration) {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data)
    let configuration = SearchConfiguration(
      soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: 0, preset: SearchRunTests.tiny)
    return (scratch.file(name), configuration)
  }

  @Test func shardsMergeIntoFrontsAndGains() throws {
    let (folder, configuration) = try tinySweep("sweep")
    // Two shards of a 3-point grid, as two machines of an array job would run them.
    try Sweep.run(configuration, lambdas: [0, 5, 20], folder: folder, shard: 2, shards: 2)
    // Shard 1 missing: its points are named.
    let unfinished = try #require(throws: SearchError.self) { try Sweep.merge(folder: folder) }
    guard case .sweepFolder(folder, .unfinished(let points)) = unfinished else {
      Issue.record("\(unfinished)")
      return
    }
    #expect(!points.isEmpty && points.allSatisfy { $0.hasPrefix("λ=") })
    try Sweep.run(configuration, lambdas: [0, 5, 20], folder: folder, shard: 1, shards: 2)
    let before = try FileManager.default.attributesOfItem(atPath: folder + "/lambda-5.0.h5")[.modificationDate] as? Date
    try Sweep.run(configuration, lambdas: [0, 5, 20], folder: folder)  // all done: nothing reruns
    let after = try FileManager.default.attributesOfItem(atPath: folder + "/lambda-5.0.h5")[.modificationDate] as? Date
    #expect(before == after)
    var other = configuration
    other.seed = 9
    #expect(throws: SearchError.sweepFolder(folder: folder, problem: .otherSweep)) {
      try Sweep.run(other, lambdas: [0, 5, 20], folder: folder)
    }

    // A baseline in the folder joins the front.
    let baseline = folder + "/baselines"
    try FileManager.default.createDirectory(atPath: baseline, withIntermediateDirectories: true)
    _ = try SearchRun.run(configuration, out: baseline + "/all-digital.h5", baseline: .allOn(unit: "digital"))
    try Data(#"[{"name": "all-digital", "run": "\#(baseline)/all-digital.h5"}]"#.utf8)
      .write(to: URL(fileURLWithPath: baseline + "/baselines.json"))
    let summary = try Sweep.merge(folder: folder, epsilon: 1)
    #expect(summary.points.map(\.lambda) == [0, 5, 20])
    #expect(summary.baselines.count == 1)
    #expect(!summary.latencyFront.isEmpty)
    // ε = 1 (100 points) makes every searched point iso-accurate: the cheapest one wins.
    let cheapest = try #require(summary.points.map(\.latencyCycles).min())
    #expect(summary.latencyGains.first?.ratio == summary.baselines[0].latencyCycles / cheapest)
    #expect(summary.manifest.lambdas == [0, 5, 20])
    #expect(FileManager.default.fileExists(atPath: folder + "/sweep.json"))
  }

  /// `auto:N` adds λ values between the grid's points, where the front has its widest
  /// gap, until N points; the merge and a rerun see them.
  @Test func fillingAddsLambdasWhereTheFrontHasGaps() throws {
    let (folder, configuration) = try tinySweep("auto")
    try Sweep.run(configuration, lambdas: [0, 30], autoPoints: 3, folder: folder)
    let summary = try Sweep.merge(folder: folder)
    let added = summary.manifest.addedLambdas
    #expect(summary.points.count == 2 + added.count)
    // The grid's two ends decide the one λ filling adds (none if they cost the same).
    let ends = summary.points.filter { [0, 30].contains($0.lambda) }.map { ($0.lambda, $0.latencyCycles) }
    #expect(added == [Sweep.nextLambda(ends)].compactMap { $0 })
    #expect(added.allSatisfy { $0 > 0 && $0 < 30 })
    // A filled point runs under its own job lock, as the grid's do: `sweep status` reads it
    // (without one, a running filled point showed as "interrupted").
    for lambda in added {
      #expect(FileManager.default.fileExists(atPath: SweepFolder(folder).point(lambda) + ".lock"))
    }
    try Sweep.run(configuration, lambdas: [0, 30], autoPoints: 3, folder: folder)  // nothing left to do
    #expect(try Sweep.merge(folder: folder).manifest.addedLambdas == added)
  }

  /// A sweep run again with more λ values and a baseline adds them to the folder's sweep
  /// (after its own jobs, keeping their numbers) and trains only them; a λ filling added
  /// is not added twice; another configuration is still refused.
  @Test func aSweepRunAgainWithMoreJobsExtendsIt() throws {
    let (folder, configuration) = try tinySweep("extend")
    #expect(try Sweep.run(configuration, lambdas: [0], folder: folder) == 1)
    let first = SweepFolder(folder).point(0)
    let before = try FileManager.default.attributesOfItem(atPath: first)[.modificationDate] as? Date
    let jobs = try Sweep.run(configuration, lambdas: [20, 0], baselines: [.allOn(unit: "digital")], folder: folder)
    #expect(jobs == 3)
    let manifest = try SweepFolder(folder).readManifest()
    #expect(manifest.lambdas == [0, 20] && manifest.baselines == ["all-digital"])
    #expect(try FileManager.default.attributesOfItem(atPath: first)[.modificationDate] as? Date == before)
    let summary = try Sweep.merge(folder: folder)
    #expect(summary.points.map(\.lambda) == [0, 20] && summary.baselines.count == 1)

    var filled = manifest
    filled.addedLambdas = [5]
    var more = manifest
    more.lambdas = [5, 40]
    more.reference = true
    more.autoPoints = 4
    let extended = try #require(filled.extended(with: more))
    #expect(extended.lambdas == [0, 20, 40] && extended.addedLambdas == [5])
    #expect(extended.reference && extended.autoPoints == 4 && extended.baselines == ["all-digital"])
    var other = configuration
    other.seed = 9
    #expect(
      manifest.extended(
        with: Sweep.Manifest(
          configuration: other, lambdas: [0], baselines: [], reference: false, gitCommit: "x", autoPoints: nil)) == nil)
    #expect(throws: SearchError.sweepFolder(folder: folder, problem: .otherSweep)) {
      try Sweep.run(other, lambdas: [0], folder: folder)
    }
  }
}
