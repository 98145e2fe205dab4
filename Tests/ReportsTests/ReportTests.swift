import Engine
import Foundation
import HDF5
import Hardware
import Models
import TestSupport
import Testing

@testable import Reports
@testable import Search

/// A report from a tiny real sweep archive (quadrant images, ResNet-8 on DIANA), and the
/// audit confirming it untouched and catching it tampered with.
@Suite(.serialized) struct ReportTests {
  let scratch = ScratchFolder()

  static let tiny = SearchPreset(
    name: "tiny", warmupEpochs: 1, searchEpochs: 1, fineTuneEpochs: 1, batchSize: 32, learningRate: 0.05,
    logitLearningRate: 0.2, initialTemperature: 1, finalTemperature: 0.5, fineTuneFrom: .warmup)

  func makeSweep() throws -> String {
    let data = scratch.file("quadrants.h5")
    try QuadrantData.write(data)
    let folder = scratch.file("sweep")
    let configuration = SearchConfiguration(
      soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: 0, preset: Self.tiny)
    try Sweep.run(
      configuration, lambdas: [0, 20], baselines: [.allOn(unit: "digital"), .allOn(unit: "analog")], reference: true,
      folder: folder)
    return folder
  }

  @Test func reportHoldsEveryPointAndTheAuditConfirmsItUntouched() throws {
    let folder = try makeSweep()
    let experiment = try Experiment.load([folder])
    #expect(experiment.points.map(\.name) == ["λ=0", "λ=20"])
    #expect(experiment.baselines.map(\.name) == ["all-analog", "all-digital"])
    #expect(experiment.reference != nil)
    let out = scratch.file("report")
    let path = try ReportWriter.write(experiment, to: out)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    for name in ["pareto-latency.png", "pareto-energy.png"] {
      #expect(FileManager.default.fileExists(atPath: out + "/" + name))
      #expect(text.contains("](\(name))"))
    }
    let tables = MarkdownTable.parse(text).map(\.table)
    let points = try #require(tables.first { $0.header.first == "Point" })
    #expect(points.rows.count == 2)
    let first = try #require(experiment.points.first)
    #expect(points.cell(points.rows[0], "Test accuracy (%)") == Formatting.accuracy(first.testAccuracy))
    #expect(points.cell(points.rows[0], "Latency (cycles)") == Formatting.cycles(first.latencyCycles))
    #expect(tables.contains { $0.header.first == "Compared with" })

    let result = try Audit.run(report: path, allowOutside: true)
    #expect(result.differing.isEmpty, "\(result.differing)")
    #expect(result.unverifiable.isEmpty, "\(result.unverifiable)")
    // Every row's accuracy, latency (cycles and ms), energy and front flags, plus gains and setup.
    #expect(result.confirmed >= 2 * 8 + 2 * 7 + 1)

    // The same archive gives byte-identical figures.
    let again = scratch.file("report-again")
    try ReportWriter.write(experiment, to: again)
    #expect(
      FileManager.default.contents(atPath: out + "/pareto-latency.png")
        == FileManager.default.contents(atPath: again + "/pareto-latency.png"))
  }

  @Test func theAuditCatchesAHandEditedNumberAndAMissingRun() throws {
    let folder = try makeSweep()
    let out = scratch.file("report")
    let path = try ReportWriter.write(try Experiment.load([folder]), to: out)
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let tables = MarkdownTable.parse(text).map(\.table)
    let baselines = try #require(tables.first { $0.header.first == "Baseline" })
    let accuracy = try #require(baselines.cell(baselines.rows[0], "Test accuracy (%)"))
    let tampered = String(format: "%.2f", (Double(accuracy) ?? 0) + 3.5)
    // Change the first baseline's accuracy only (its row is the first line holding it after the header).
    var lines = text.components(separatedBy: "\n")
    let row = try #require(lines.firstIndex { $0.hasPrefix("| \(baselines.rows[0][0]) |") })
    lines[row] = lines[row].replacingOccurrences(of: "| \(accuracy) |", with: "| \(tampered) |")
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    let result = try Audit.run(report: path, allowOutside: true)
    let wrong = try #require(result.differing.first)
    #expect(wrong.subject == baselines.rows[0][0] && wrong.quantity == "Test accuracy (%)")
    #expect(wrong.verdict == .differs(recomputed: accuracy, difference: String(format: "%+g", -3.5)))

    // A hand-made headline figure fails too.
    let headline = try #require(lines.firstIndex { $0.contains("ODiMO's searched mappings reach") })
    lines[row] = lines[row].replacingOccurrences(of: "| \(tampered) |", with: "| \(accuracy) |")
    lines[headline] = "At iso-accuracy, ODiMO's searched mappings reach **up to 9.99× lower latency** (λ=0 against x)."
    // And the comparison with the paper's DIANA figure is given a better "here".
    let paper = try #require(lines.firstIndex { $0.hasPrefix("Against the ODiMO paper (latency):") })
    let original = lines[paper]
    lines[paper] = String(original.prefix { $0 != ";" }) + "; here 31× on the searchable layers."
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    let boasted = try Audit.run(report: path, allowOutside: true)
    // The latency claim is wrong, and the energy claim the line dropped is reported missing.
    #expect(Set(boasted.differing.map(\.section)) == ["headline"])
    #expect(boasted.differing.contains { $0.subject == "latency" && $0.reported.contains("9.99") })
    #expect(boasted.differing.contains { $0.subject == "Against the ODiMO paper (latency)" })
    lines[paper] = original

    // A run file that has gone: its claims cannot be verified (and say why).
    try FileManager.default.removeItem(atPath: folder + "/lambda-20.0.h5")
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    let missing = try Audit.run(report: path, allowOutside: true)
    #expect(missing.unverifiable.contains { $0.subject == "λ=20" && "\($0.verdict)".contains("no such run file") })

    // A sweep still running is refused, or reported with its unfinished runs named.
    #expect(throws: (any Error).self) { try Experiment.load([folder]) }
    let partial = try Experiment.load([folder], partial: true)
    #expect(partial.unfinished == ["λ=20"] && partial.points.map(\.name) == ["λ=0"])
    let partialReport = try ReportWriter.write(partial, to: scratch.file("partial"))
    #expect(
      try String(contentsOfFile: partialReport, encoding: .utf8).contains("**Partial report:** λ=20 had not finished"))
  }

  /// A baseline row is a claim that the run was tested under that heuristic's mapping: a run
  /// file holding another split (all-analog's, in all-digital's file) fails the audit's
  /// "mapping" check, naming the layers that differ, while the untouched one is confirmed.
  @Test func aBaselineUnderAnotherMappingFailsTheAudit() throws {
    let folder = try makeSweep()
    let path = try ReportWriter.write(try Experiment.load([folder]), to: scratch.file("report"))
    let untouched = try Audit.run(report: path, allowOutside: true)
    #expect(untouched.claims.filter { $0.quantity == "mapping" && $0.verdict == .confirmed }.count == 2)

    let analog = try Mapping.read(from: try HDF5File.open(folder + "/baselines/all-analog.h5"))
    let digital = try HDF5File.open(folder + "/baselines/all-digital.h5", writable: true)
    try digital.remove("mapping")
    try analog.write(to: digital)
    digital.close()
    let audited = try Audit.run(report: path, allowOutside: true)
    let wrong = try #require(audited.differing.first { $0.quantity == "mapping" })
    #expect(wrong.subject == "all-digital" && "\(wrong.verdict)".contains("another split in"))
  }

  /// A one-seed group: (accuracy, latency, searchable-layer latency, energy).
  static func group(_ name: String, _ kind: ParetoPoint.Kind, _ figures: (Double, Double, Double, Double)) -> SeedGroup
  {
    let member = SeedGroup.Member(
      seed: 0, accuracy: figures.0, latencyCycles: figures.1, searchableLatencyCycles: figures.2,
      energyMicrojoules: figures.3)
    return SeedGroup(name: name, kind: kind, members: [member])
  }

  /// One-seed groups with the full-scale Darkside seed-0 figures: λ = 0.1, dws, and λ = 3,
  /// which ends on the all-DWE mapping within ε of dws.
  static let darkside: (tenth: SeedGroup, dws: SeedGroup, allDWE: SeedGroup) = {
    return (
      group("λ=0.1", .searched, (0.8859, 2_308_861, 1_569_570, 1498.67)),
      group("dws", .baseline, (0.8771, 3_014_931, 2_275_640, 1944.51)),
      group("λ=3", .searched, (0.8744, 752_019, 12_728, 482.39))
    )
  }()

  /// The gains table gives the latency gain over the searchable layers beside the whole
  /// network's (λ = 0.1 against dws).
  @Test func gainsStateTheSearchableLayerRatio() {
    let groups = [Self.darkside.tenth, Self.darkside.dws]
    let header = ReportWriter.gainsHeader
    let latency = ReportWriter.gainRows(groups, .latency, front: SeedGroup.front(groups, .latency, epsilon: 0))
    #expect(latency.count == 1 && latency[0].count == header.count)
    #expect(latency[0][header.firstIndex(of: "Gain (×)") ?? 0] == "1.31")
    #expect(latency[0][header.firstIndex(of: "Searchable-layer gain (×)") ?? 0] == "1.45")
    let energy = ReportWriter.gainRows(groups, .energy, front: SeedGroup.front(groups, .energy, epsilon: 0))
    #expect(energy[0][header.firstIndex(of: "Searchable-layer gain (×)") ?? 0] == "–")
  }

  /// The report sets its searchable-layer gain against the paper's figure for the SoC, and
  /// says nothing of the paper for an SoC the paper did not study.
  @Test func theReportSetsItsGainAgainstThePaper() {
    let groups = [Self.darkside.tenth, Self.darkside.dws, Self.darkside.allDWE]
    // λ = 3's gain over dws is the hand-made all-DWE mapping's: left out of the line.
    let lines = PaperHeadline.lines(
      soc: "darkside", metrics: [.latency], groups: groups, epsilon: 0.0034, twin: { $0 == "λ=3" ? "all-dwe" : nil })
    #expect(lines.count == 1)
    #expect(lines.first?.hasPrefix("Against the ODiMO paper (latency): it reports up to 8× lower latency") == true)
    let here = "is 1.45× on the searchable layers (λ=0.1 against dws, +0.88 accuracy points)"
    #expect(lines.first?.contains(here) == true)
    let untold = PaperHeadline.lines(soc: "darkside", metrics: [.latency], groups: groups, epsilon: 0.0034)
    #expect(untold.first?.contains("is 178.79× on the searchable layers (λ=3 against dws") == true)
    #expect(PaperHeadline.lines(soc: "naive", metrics: [.latency], groups: groups, epsilon: 0).isEmpty)
  }

  /// When the search's own mappings are nowhere cheaper than a standing baseline at its
  /// accuracy, the line against the paper says so instead of calling a ratio below 1 a gain
  /// (post-fix seed-0 figures: λ = 1 is within ε of all-DWE but costs more; none reaches dws).
  @Test func aSearchThatGainsNothingIsNotCalledAGain() {
    let group = Self.group
    let groups = [
      group("λ=1", .searched, (0.8693, 798_357, 59_066, 515.41)),
      group("all-dwe", .baseline, (0.8688, 752_019, 12_728, 482.39)),
      group("dws", .baseline, (0.8825, 3_014_931, 2_275_640, 1944.51)),
    ]
    let lines = PaperHeadline.lines(soc: "darkside", metrics: [.latency, .energy], groups: groups, epsilon: 0.0034)
    #expect(lines.count == 2)
    #expect(lines.allSatisfy { !$0.contains("largest gain") })
    #expect(
      lines.first?.contains("the closest has 4.64× higher latency on the searchable layers (λ=1 against all-dwe")
        == true)
    #expect(lines.last?.contains("the closest has 1.07× higher energy for the whole network") == true)
  }

  /// A gain won by a searched point that has a hand-made baseline's mapping says so.
  @Test func aGainOfAHandMadeMappingSaysSo() {
    let gain = IsoAccuracyGain(baseline: "dws", searched: "λ=3", ratio: 4.009, accuracyDelta: -0.0027)
    let plain = ReportWriter.headlineClaim(gain, .latency, searchedMetric: .latency)
    #expect(plain == "**up to 4.01× lower latency** (λ=3 against dws, -0.27 accuracy points)")
    let twin = ReportWriter.headlineClaim(gain, .latency, searchedMetric: .latency, twin: "all-dwe")
    let context = "(λ=3 against dws, -0.27 accuracy points; λ=3 has the mapping of all-dwe, a hand-made baseline)"
    #expect(twin.hasSuffix(context))
  }

  /// Every row of the setup table is a claim: each one edited in turn fails the audit.
  @Test func everySetupRowIsAudited() throws {
    let folder = try makeSweep()
    let path = try ReportWriter.write(try Experiment.load([folder]), to: scratch.file("report"))
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let setup = try #require(MarkdownTable.parse(text).map(\.table).first { $0.header.first == "Setting" })
    #expect(setup.rows.map { $0[0] }.contains("Searchable-layer latency (cycles)") == false)
    #expect(text.contains("Searchable-layer latency (cycles)"))
    for row in setup.rows where row[0] != "Commit" {
      let lines = text.components(separatedBy: "\n").map { line in
        line.hasPrefix("| \(row[0]) |") ? line.replacingOccurrences(of: row[1], with: row[1] + " (edited)") : line
      }
      try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
      let result = try Audit.run(report: path, allowOutside: true)
      #expect(
        result.differing.map(\.subject) == [row[0]], "editing \(row[0]) gave \(result.differing.map(\.subject))")
    }
  }

  /// Loading `sources` is refused as incomparable runs, the differences naming `difference`.
  func expectIncomparable(_ sources: [String], naming difference: String) {
    #expect {
      try Experiment.load(sources)
    } throws: { error in
      guard case ReportError.incomparableRuns(_, _, let differences) = error else { return false }
      return differences.contains(difference)
    }
  }

  /// The cost gradient rule must agree across searched points (λ > 0); where λ = 0 it
  /// cannot change a result, so such runs join whatever rule the rest used.
  @Test func searchedPointsMustShareTheirCostGradient() throws {
    let folder = try makeSweep()
    let data = scratch.file("quadrants.h5")
    var secant = SearchConfiguration(
      soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: 20, seed: 1, preset: Self.tiny,
      costGradient: .secant)
    let searched = scratch.file("secant-20.h5")
    try SearchRun.run(secant, out: searched)
    expectIncomparable([folder, searched], naming: "cost_gradient")
    secant.lambda = 0
    let unaffected = scratch.file("secant-0.h5")
    try SearchRun.run(secant, out: unaffected)
    let experiment = try Experiment.load([folder, unaffected])
    #expect(experiment.points.count == 3)
    #expect(ReportWriter.searchedCostGradient(experiment.points.map(\.configuration)) == .local)
  }

  /// The metric, like the cost gradient, only shapes a cost term: a latency sweep's λ = 0
  /// run and baselines join energy-searched points (the setup then states energy), while
  /// searched points of both metrics are refused as incomparable.
  @Test func searchedPointsMustShareTheirMetric() throws {
    let folder = try makeSweep()
    let energy = SearchConfiguration(
      soc: "diana", model: "resnet8", data: scratch.file("quadrants.h5"), metric: .energy, lambda: 20,
      preset: Self.tiny)
    let searched = scratch.file("energy-20.h5")
    try SearchRun.run(energy, out: searched)
    expectIncomparable([folder, searched], naming: "metric: latency, now energy")
    let shared = [folder + "/lambda-0.0.h5", folder + "/baselines/all-digital.h5", searched]
    let experiment = try Experiment.load(shared)
    #expect(experiment.configuration.metric == .energy && experiment.points.count == 2)
    let report = try ReportWriter.write(experiment, to: scratch.file("energy-report"))
    #expect(try String(contentsOfFile: report, encoding: .utf8).contains("| Search metric | energy,"))
    // Its training chart follows the metric λ weighed; a latency run's stays in cycles.
    let energyRun = try RunFile.read(searched)
    let curve = try #require(ReportCharts.training(energyRun).last)
    #expect(curve.y.label == "Energy (µJ)")
    #expect(curve.series.first?.points.map(\.y) == energyRun.trace.compactMap(\.energyMicrojoules))
    let latencyRun = try RunFile.read(folder + "/lambda-0.0.h5")
    #expect(ReportCharts.training(latencyRun).last?.y.label == "Latency (cycles)")
    let audit = try Audit.run(report: report, allowOutside: true)
    #expect(audit.differing.isEmpty && audit.unverifiable.isEmpty, "\(audit.differing) \(audit.unverifiable)")
  }

  /// A second seed's sweep of some points: the report groups runs by point, compares their
  /// means, adds the across-seeds table and a pooled seed deviation to ε; the audit
  /// regenerates all of it and catches an edited mean.
  @Test func secondSeedIsAggregatedAndAudited() throws {
    let folder = try makeSweep()
    let second = scratch.file("seed-1")
    var configuration = try RunFile.read(folder + "/lambda-20.0.h5").configuration
    configuration.lambda = 0
    configuration.seed = 1
    try Sweep.run(configuration, lambdas: [20], baselines: [.allOn(unit: "digital")], folder: second)
    let experiment = try Experiment.load([folder, second], epsilon: nil)
    #expect(experiment.seeds == [0, 1])
    let groups = Dictionary(uniqueKeysWithValues: experiment.groups.map { ($0.name, $0) })
    #expect(groups["λ=20"]?.seeds == [0, 1] && groups["λ=0"]?.seeds == [0] && groups["all-digital"]?.seeds == [0, 1])
    let twenty = experiment.points.filter { $0.name == "λ=20" }.map(\.testAccuracy)
    #expect(groups["λ=20"]?.accuracy == (twenty[0] + twenty[1]) / 2)
    let deviation = try #require(SeedGroup.seedDeviation(experiment.groups))
    #expect(
      experiment.epsilon
        == max(
          deviation,
          AccuracyStatistics.noise(
            accuracies: (experiment.points + experiment.baselines).map(\.testAccuracy), images: 32)))

    let path = try ReportWriter.write(experiment, to: scratch.file("report"))
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let tables = MarkdownTable.parse(text).map(\.table)
    let seeds = try #require(tables.first { $0.header.first == "Across seeds" })
    #expect(seeds.rows.map { $0[0] } == ["λ=0", "λ=20", "all-analog", "all-digital"])
    #expect(text.contains("| Seeds | 0, 1 |") && text.contains("seed-to-seed standard deviation"))
    let result = try Audit.run(report: path, allowOutside: true)
    #expect(result.differing.isEmpty && result.unverifiable.isEmpty, "\(result.differing) \(result.unverifiable)")

    let row = try #require(seeds.rows.first { $0[0] == "λ=20" })
    let edited = text.replacingOccurrences(
      of: "| λ=20 | 0, 1 | \(row[2]) |", with: "| λ=20 | 0, 1 | \(Formatting.accuracy(0.999)) |")
    #expect(edited != text)
    try edited.write(toFile: path, atomically: true, encoding: .utf8)
    let caught = try Audit.run(report: path, allowOutside: true)
    #expect(caught.differing.map(\.section) == ["across seeds"])

    // The same runs twice, or runs of another configuration, are refused.
    #expect { try Experiment.load([folder, folder]) } throws: { "\($0)".contains("given twice") }
    var other = configuration
    other.preset.batchSize = 16
    try Sweep.run(other, lambdas: [20], folder: scratch.file("other"))
    #expect { try Experiment.load([folder, scratch.file("other")]) } throws: { "\($0)".contains("batch_size") }
  }

  /// A dataset moved after the report: nothing "differs" (every claim that needs it cannot
  /// be verified, and says why); `dataset:` pointing at the moved file confirms everything,
  /// and a different file is refused by its SHA-256. Run from another working folder too.
  @Test func aMovedDatasetIsFoundAgainNotBlamed() throws {
    let folder = try makeSweep()
    let path = try ReportWriter.write(try Experiment.load([folder]), to: scratch.file("report"))
    let data = scratch.file("quadrants.h5")
    let moved = scratch.file("moved.h5")
    try FileManager.default.moveItem(atPath: data, toPath: moved)
    let lost = try Audit.run(report: path, allowOutside: true)
    #expect(lost.differing.isEmpty, "\(lost.differing)")
    #expect(!lost.unverifiable.isEmpty)
    let previous = FileManager.default.currentDirectoryPath
    FileManager.default.changeCurrentDirectoryPath(scratch.file(""))
    defer { FileManager.default.changeCurrentDirectoryPath(previous) }
    let found = try Audit.run(report: path, dataset: moved, allowOutside: true)
    #expect(found.differing.isEmpty && found.unverifiable.isEmpty, "\(found.differing) \(found.unverifiable)")
    let other = scratch.file("other.h5")
    try QuadrantData.write(other, train: 64)
    let wrong = try Audit.run(report: path, dataset: other, allowOutside: true)
    #expect(wrong.differing.isEmpty)
    #expect(wrong.unverifiable.contains { "\($0.verdict)".contains("is not the dataset") })
  }

  /// With the evidence bundle, the report is audited in full after its sweep folder is gone.
  @Test func aBundledReportIsAuditedWithoutItsRuns() throws {
    let folder = try makeSweep()
    let out = scratch.file("report")
    let experiment = try Experiment.load([folder])
    let path = try ReportWriter.write(experiment, to: out, bundle: true)
    #expect(FileManager.default.fileExists(atPath: out + "/" + EvidenceBundle.fileName))
    // The bundle's copies serve without --allow-outside, before and after the runs are gone.
    let confined = try Audit.run(report: path)
    #expect(confined.differing.isEmpty && confined.unverifiable.isEmpty, "\(confined.unverifiable)")
    try FileManager.default.removeItem(atPath: folder)
    let result = try Audit.run(report: path)
    #expect(result.differing.isEmpty && result.unverifiable.isEmpty, "\(result.differing) \(result.unverifiable)")
    #expect(result.claims.contains { $0.section == "reference" && $0.verdict == .confirmed })
    // No extracted file is left behind.
    let left = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())
    #expect(!left.contains { $0.hasPrefix(EvidenceBundle.extractionPrefix) })

    // Extracted whole, the runs are sources again, with the figures they had.
    let archive = scratch.file("archive")
    let files = try EvidenceBundle.extractAll(from: path, to: archive)
    #expect(
      files.map { String($0.path.dropFirst(archive.count + 1)) }.sorted()
        == [
          "baselines/all-analog.h5", "baselines/all-digital.h5", "lambda-0.0.h5", "lambda-20.0.h5", "reference.h5",
        ])
    let again = try Experiment.load(files.filter { !$0.isReference }.map(\.path))
    #expect(again.points.map(\.testAccuracy) == experiment.points.map(\.testAccuracy))
    #expect(again.baselines.map(\.latencyCycles) == experiment.baselines.map(\.latencyCycles))
    #expect(throws: ReportError.extractionTarget(files[0].path)) {
      try EvidenceBundle.extractAll(from: out, to: archive)
    }
    #expect(throws: ReportError.noEvidence(folder: folder)) { try EvidenceBundle.extractAll(from: folder, to: archive) }
  }

  @Test func badSourcesAreRefusedWithTheirNames() throws {
    #expect { try Experiment.load([scratch.file("nowhere")]) } throws: { "\($0)".contains("nowhere") }
    #expect { try Experiment.load([]) } throws: { "\($0)".contains("sweep folder") }
    let notReport = scratch.file("notes.md")
    try "# notes\n".write(toFile: notReport, atomically: true, encoding: .utf8)
    #expect { try Audit.run(report: notReport) } throws: { "\($0)".contains("not a report") }
    for epsilon in ["nan", "-1e308", "2"] {
      try "<!-- odimo-report 1 epsilon=\(epsilon) -->\n# x\n".write(
        toFile: notReport, atomically: true, encoding: .utf8)
      #expect { try Audit.run(report: notReport) } throws: { "\($0)".contains("epsilon=") }
    }
  }
}

@Suite struct ClaimsAuditTests {
  /// Per-layer counts over a named mapping cost exactly what that mapping with the layer
  /// edited costs; counts that do not fit the layer are refused with the layer named.
  @Test func layerChannelsOverrideTheBaseMapping() throws {
    var claim = try JSONDecoder.snakeCase.decode(
      ClaimsAudit.Claim.self,
      from: Data(
        #"{"name": "c", "soc": "darkside", "model": "mobilenetv1", "stem_stride": 2, "mapping": "all-dwe", "layer_channels": {"block7": [16, 496]}}"#
          .utf8))
    let cost = try ClaimsAudit.cost(claim) { $0 }
    let model = try ModelZoo.make("mobilenetv1", resolution: 32, channels: 3, classes: 10, stemStride: 2)
    let plan = try NetworkPlan(architecture: model, soc: .darkside)
    var mapping = try plan.mapping(.allOn(unit: "dwe"))
    let index = try #require(mapping.layers.firstIndex { $0.name == "block7" })
    let cluster = try #require(mapping.units.firstIndex(of: "cluster"))
    let dwe = try #require(mapping.units.firstIndex(of: "dwe"))
    mapping.layers[index] = LayerAssignment(name: "block7", counts: [16, 496], units: [cluster, dwe])
    #expect(cost.latencyCycles == (try plan.cost(of: mapping)).latencyCycles)
    #expect(cost.latencyCycles > (try plan.cost(of: try plan.mapping(.allOn(unit: "dwe")))).latencyCycles)
    claim.layerChannels = ["block7": [16, 400]]
    #expect { try ClaimsAudit.cost(claim) { $0 } } throws: { "\($0)".contains("block7") }
  }
}
