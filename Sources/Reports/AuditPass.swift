import Datasets
import Foundation
import Hardware
import Search

/// One audit of one report: the report's tables, the runs re-evaluated from the files its
/// rows name, and the claims checked so far. Each `check…` covers one section of the
/// report and regenerates it with the code that wrote it (`ReportWriter`), from the
/// recomputed values.
struct AuditPass {
  /// A run row's identity: a point or baseline name and the run's seed.
  struct RowKey: Hashable {
    var name: String
    var seed: UInt64
  }

  let folder: String
  let text: String
  let epsilon: Double
  let tables: [MarkdownTable]
  /// A dataset to evaluate on in place of the path the runs recorded (a moved or copied
  /// dataset); it must have the SHA-256 the runs recorded.
  var dataset: String?
  /// Whether cited files may lie outside the report's folder (`--allow-outside`).
  var allowOutside = false
  private(set) var claims: [Audit.Claim] = []
  /// Rows whose run could not be re-evaluated: every figure derived from all runs (fronts,
  /// gains, headline, ε) then cannot be checked either, rather than "differ".
  private var failed: [String] = []
  /// The dataset path the runs recorded (the setup table prints it even when `dataset` replaces it).
  private var recordedData: String?
  private var temporaries: [String] = []
  /// Runs re-evaluated from the files the run rows name.
  private var recomputed: [RowKey: Audit.Recomputed] = [:]
  /// The run tables' rows with the key of the run each names (nil: the run could not be read).
  private var rows: [(table: MarkdownTable, section: String, row: [String], key: RowKey?)] = []

  init(folder: String, text: String, epsilon: Double, tables: [MarkdownTable]) {
    self.folder = folder
    self.text = text
    self.epsilon = epsilon
    self.tables = tables
  }

  // MARK: Recording claims

  mutating func check(_ section: String, _ subject: String, _ quantity: String, _ reported: String, _ value: String?) {
    let verdict: Audit.Verdict
    if let value {
      if value == reported {
        verdict = .confirmed
      } else if let a = Formatting.number(reported), let b = Formatting.number(value) {
        verdict = .differs(recomputed: value, difference: String(format: "%+g", b - a))
      } else {
        verdict = .differs(recomputed: value, difference: "recomputed \(value)")
      }
    } else {
      verdict = .unverifiable(reason: "no recomputed value")
    }
    claims.append(.init(section: section, subject: subject, quantity: quantity, reported: reported, verdict: verdict))
  }

  mutating func unverifiable(
    _ section: String, _ subject: String, _ quantity: String, _ reported: String, _ why: String
  ) {
    claims.append(
      .init(
        section: section, subject: subject, quantity: quantity, reported: reported, verdict: .unverifiable(reason: why))
    )
  }

  /// Like `check`, for a figure derived from every run: unverifiable while some run failed.
  mutating func checkDerived(
    _ section: String, _ subject: String, _ quantity: String, _ reported: String, _ value: String?
  ) {
    guard failed.isEmpty else {
      let names = failed.joined(separator: ", ")
      return unverifiable(section, subject, quantity, reported, "depends on \(names), which could not be re-evaluated")
    }
    check(section, subject, quantity, reported, value)
  }

  /// A path cell (`` `runs/x.h5` ``) resolved against the report's folder; a file that is
  /// not there is taken from the report's evidence bundle if it has it (`temporaries`
  /// lists the files extracted so, for `cleanUp`). A path leaving the report's folder
  /// (absolute, or climbing with `..`, symbolic links followed) is opened only with
  /// `allowOutside`; otherwise only the bundle's copy is used, or the path is refused.
  mutating func resolve(_ cell: String) throws -> String {
    let trimmed = cell.trimmingCharacters(in: CharacterSet(charactersIn: "` "))
    let path = trimmed.hasPrefix("/") ? trimmed : folder.isEmpty ? trimmed : folder + "/" + trimmed
    let inside = allowOutside || Self.isInside(path, folder: folder.isEmpty ? "." : folder)
    if inside && FileManager.default.fileExists(atPath: path) { return path }
    if let extracted = try EvidenceBundle.extract(cell: trimmed, folder: folder) {
      temporaries.append(extracted)
      return extracted
    }
    guard inside else {
      throw ReportError.outsideReport(trimmed)
    }
    return path
  }

  /// Whether `path` is inside `folder` once both are made absolute, `..` removed and
  /// symbolic links followed.
  static func isInside(_ path: String, folder: String) -> Bool {
    let real = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
    let base = real(folder)
    return real(path).hasPrefix(base == "/" ? "/" : base + "/")
  }

  /// Removes the files extracted from the evidence bundle.
  func cleanUp() {
    for path in temporaries { try? FileManager.default.removeItem(atPath: path) }
  }

  // MARK: The recomputed experiment

  /// Reads and re-evaluates every run a searched-point or baseline row names.
  mutating func recomputeRuns(progress: (String) -> Void) {
    for table in tables where [ReportSchema.points, ReportSchema.baselines].contains(table.header.first) {
      let section = table.header[0] == ReportSchema.points ? "searched points" : "baselines"
      for row in table.rows {
        guard let name = row.first, let runCell = table.cell(row, "Run") else { continue }
        progress("re-evaluating \(name)")
        do {
          var run = try RunFile.read(try resolve(runCell))
          recordedData = recordedData ?? run.configuration.data
          if let dataset { run = try run.relocated(dataset: dataset) }
          let key = RowKey(name: name, seed: run.configuration.seed)
          recomputed[key] = Audit.Recomputed(
            run: run, accuracy: try run.recomputedAccuracy(), cost: try run.recomputedCost())
          rows.append((table, section, row, key))
        } catch {
          for (column, cell) in zip(table.header.dropFirst(), row.dropFirst()) where column != "Run" {
            unverifiable(section, name, column, cell, "\(error)")
          }
          failed.append(name)
          rows.append((table, section, row, nil))
        }
      }
    }
  }

  /// The recomputed runs in the report's order: searched points by (λ, seed), then baselines by (name, seed).
  var orderedRuns: [Audit.Recomputed] {
    recomputed.values.sorted {
      let a = (
        $0.run.baseline == nil ? 0 : 1, $0.run.baseline ?? "", $0.run.configuration.lambda, $0.run.configuration.seed
      )
      let b = (
        $1.run.baseline == nil ? 0 : 1, $1.run.baseline ?? "", $1.run.configuration.lambda, $1.run.configuration.seed
      )
      return a < b
    }
  }

  var groups: [SeedGroup] {
    SeedGroup.grouping(
      orderedRuns.map { value in
        (
          value.run.name, value.run.baseline == nil ? .searched : .baseline,
          SeedGroup.Member(
            seed: value.run.configuration.seed, accuracy: value.accuracy, latencyCycles: value.cost.latencyCycles,
            searchableLatencyCycles: value.cost.searchable.latencyCycles,
            energyMicrojoules: value.cost.energyMicrojoules)
        )
      })
  }

  var metrics: [CostMetric] {
    recomputed.values.allSatisfy { $0.cost.energyMicrojoules != nil } ? [.latency, .energy] : [.latency]
  }

  func front(_ metric: CostMetric) -> ParetoFront { SeedGroup.front(groups, metric, epsilon: epsilon) }

  /// The n of every accuracy's interval: the test split of the runs' dataset.
  var testImages: Int? {
    orderedRuns.first.flatMap { try? DatasetFile(path: $0.run.configuration.data).split("test").count }
  }

  // MARK: Sections

  /// Every cell of the searched-point and baseline tables, from its run.
  mutating func checkRunRows() {
    let fronts = Dictionary(uniqueKeysWithValues: metrics.map { ($0, Set(front($0).front.map(\.name))) })
    let images = testImages
    let baselines = orderedRuns.map(\.run).filter { $0.baseline != nil }
    for (table, section, row, key) in rows {
      guard let key, let value = recomputed[key] else { continue }
      let name = key.name
      check(section, name, "name", name, value.run.name)
      if let baseline = value.run.baseline {
        // The row's name is a claim about the mapping the run was tested under.
        do {
          let off = try value.run.layersOffHeuristic() ?? []
          check(
            section, name, "mapping", baseline,
            off.isEmpty ? baseline : "another split in \(off.joined(separator: ", "))")
        } catch {
          unverifiable(section, name, "mapping", baseline, "\(error)")
        }
      }
      for (column, cell) in zip(table.header, row).dropFirst() {
        let expected: String?
        switch column {
        case "λ": expected = RunFile.format(value.run.configuration.lambda)
        case "Seed": expected = "\(value.run.configuration.seed)"
        case "Test accuracy (%)": expected = Formatting.accuracy(value.accuracy)
        case "95 % interval (%)": expected = ReportWriter.intervalText(value.accuracy, images: images)
        case "Latency (cycles)": expected = Formatting.cycles(value.cost.latencyCycles)
        case "Searchable-layer latency (cycles)": expected = Formatting.cycles(value.cost.searchable.latencyCycles)
        case "Latency (ms)": expected = Formatting.milliseconds(value.cost.latencyMilliseconds)
        case "Energy (µJ)": expected = value.cost.energyMicrojoules.map(Formatting.microjoules) ?? "n/a"
        case "On latency front", "On energy front":
          let metric: CostMetric = column == "On latency front" ? .latency : .energy
          checkDerived(section, name, column, cell, fronts[metric].map { $0.contains(name) ? "yes" : "no" })
          continue
        case "Same mapping as":
          checkDerived(section, name, column, cell, ReportWriter.sameMapping(value.run, as: baselines))
          continue
        default: continue
        }
        check(section, name, column, cell, expected)
      }
    }
  }

  /// The float reference's accuracy, re-evaluated from its checkpoint.
  mutating func checkReference(progress: (String) -> Void) {
    for table in tables where table.header.first == ReportSchema.reference {
      for row in table.rows {
        guard let name = row.first, let accuracy = table.cell(row, "Test accuracy (%)"),
          let checkpoint = table.cell(row, "Checkpoint")
        else { continue }
        guard let data = orderedRuns.first?.run.configuration.data else {
          unverifiable("reference", name, "Test accuracy (%)", accuracy, "no run file to take the dataset from")
          continue
        }
        progress("re-evaluating \(name)")
        do {
          let value = try FloatReference.recomputedAccuracy(checkpoint: try resolve(checkpoint), data: data)
          check("reference", name, "Test accuracy (%)", accuracy, Formatting.accuracy(value))
        } catch {
          unverifiable("reference", name, "Test accuracy (%)", accuracy, "\(error)")
        }
      }
    }
  }

  /// Every diverged run the report names: its file must say it diverged, and where.
  mutating func checkDiverged() {
    for table in tables where table.header.first == ReportWriter.divergedHeader[0] {
      for row in table.rows {
        guard let name = row.first, let runCell = table.cell(row, "Run"), let reported = table.cell(row, "Where")
        else { continue }
        do {
          let path = try resolve(runCell)
          guard FileManager.default.fileExists(atPath: path) else {
            unverifiable("diverged", name, "Where", reported, "\(path): no such run file")
            continue
          }
          check("diverged", name, "Where", reported, RunFile.divergence(path) ?? "(did not diverge)")
        } catch {
          unverifiable("diverged", name, "Where", reported, "\(error)")
        }
      }
    }
  }

  /// The across-seeds table, regenerated from the recomputed groups.
  mutating func checkSeedsTable() {
    let groups = Dictionary(uniqueKeysWithValues: groups.map { ($0.name, $0) })
    let images = testImages
    for table in tables where table.header.first == ReportSchema.acrossSeeds {
      for row in table.rows {
        guard let name = row.first else { continue }
        guard let group = groups[name] else {
          for (column, cell) in zip(table.header, row).dropFirst() {
            unverifiable("across seeds", name, column, cell, "no verified run of \(name)")
          }
          continue
        }
        let expected = ReportWriter.seedsRow(group, metrics: metrics, testImages: images)
        let header = ReportWriter.seedsHeader(metrics)
        for (column, cell) in zip(table.header, row).dropFirst() {
          checkDerived("across seeds", name, column, cell, header.firstIndex(of: column).map { expected[$0] })
        }
      }
    }
  }

  /// The gains table, regenerated from the recomputed points.
  mutating func checkGains() {
    let groups = groups
    for table in tables where table.header.first == ReportSchema.gains {
      var expected: [String: [String]] = [:]
      for metric in metrics {
        for row in ReportWriter.gainRows(groups, metric, front: front(metric)) { expected["\(row[0]) \(row[1])"] = row }
      }
      let header = ReportWriter.gainsHeader
      for row in table.rows {
        guard let baseline = row.first, let metric = table.cell(row, "Metric") else { continue }
        let subject = "\(baseline) (\(metric))"
        guard let regenerated = expected["\(baseline) \(metric)"] else {
          for (column, cell) in zip(table.header, row).dropFirst(2) {
            unverifiable("gains", subject, column, cell, "the baseline's run was not verified")
          }
          continue
        }
        for (column, cell) in zip(table.header, row).dropFirst(2) {
          checkDerived("gains", subject, column, cell, header.firstIndex(of: column).map { regenerated[$0] })
        }
      }
    }
  }

  /// The hand-made baseline whose mapping every recomputed run of searched point `name` has.
  func twin(_ name: String) -> String? {
    let runs = orderedRuns.map(\.run)
    return ReportWriter.handMadeTwin(
      of: name, points: runs.filter { $0.baseline == nil }, baselines: runs.filter { $0.baseline != nil })
  }

  /// The headline: one bold claim per metric against the baselines no other baseline
  /// dominates (or none), and a "not beaten" line per metric where such baselines dominate
  /// every searched point (or none).
  mutating func checkHeadline() {
    guard let searchedMetric = Experiment.describing(orderedRuns.map(\.run))?.configuration.metric else { return }
    let lines = text.split(separator: "\n").map(String.init)
    var claimsByMetric: [CostMetric: String] = [:]
    if let line = lines.first(where: { $0.contains("ODiMO's searched mappings reach") }) {
      var rest = line[...]
      while let range = rest.range(of: #"\*\*[^*]*\*\* \([^)]*\)"#, options: .regularExpression) {
        let claim = String(rest[range])
        let bold = claim.split(separator: "(").first ?? ""
        for metric in metrics where bold.contains(" \(metric.rawValue)") { claimsByMetric[metric] = claim }
        rest = rest[range.upperBound...]
      }
    }
    for metric in metrics {
      let front = front(metric)
      let expected = front.headline.map {
        ReportWriter.headlineClaim($0, metric, searchedMetric: searchedMetric, twin: twin($0.searched))
      }
      checkDerived(
        "headline", metric.rawValue, "gain at iso-accuracy", claimsByMetric[metric] ?? "(no gain claimed)",
        expected ?? "(no gain claimed)")
      let label = "Not beaten on \(ReportWriter.metricLabel(metric, searchedMetric: searchedMetric)):"
      checkDerived(
        "headline", metric.rawValue, "not beaten", lines.first { $0.hasPrefix(label) } ?? "(none stated)",
        ReportWriter.unbeatenLine(front, metric, searchedMetric: searchedMetric) ?? "(none stated)")
    }
    // Reports made before odimo compared with the paper have no such line: nothing claimed, nothing to check.
    guard let soc = orderedRuns.first?.run.configuration.soc else { return }
    for expected in PaperHeadline.lines(soc: soc, metrics: metrics, groups: groups, epsilon: epsilon, twin: twin) {
      let label = String(expected.prefix { $0 != ":" }) + ":"
      guard let reported = lines.first(where: { $0.hasPrefix(label) }) else { continue }
      checkDerived("headline", String(label.dropLast()), "against the paper", reported, expected)
    }
  }

  /// Every setup row the run files pin down, regenerated from the runs' configuration, and
  /// ε with where it came from.
  mutating func checkSetup() {
    let runs = orderedRuns.map(\.run)
    guard var configuration = Experiment.describing(runs)?.configuration else { return }
    configuration.data = recordedData ?? configuration.data
    let groups = groups
    let noise = testImages.map { SeedGroup.noise(groups, images: $0) }
    let seeds = Array(Set(recomputed.keys.map(\.seed))).sorted()
    let rows =
      ReportWriter.setupRows(
        configuration, costScale: Experiment.costScale(runs), seeds: seeds,
        costGradient: ReportWriter.searchedCostGradient(orderedRuns.map(\.run.configuration))) + [
        [
          "Iso-accuracy tolerance (ε)",
          ReportWriter.epsilonText(epsilon, noise: noise, seedDeviation: SeedGroup.seedDeviation(groups)),
        ]
      ]
    let expected = Dictionary(rows.map { ($0[0], $0[1]) }, uniquingKeysWith: { first, _ in first })
    for table in tables where table.header.first == ReportSchema.setup {
      for row in table.rows where row.count >= 2 && row[0] != "Commit" {
        // ε and the seeds come from every run; the rest from any one run's configuration.
        if ["Iso-accuracy tolerance (ε)", "Seed", "Seeds"].contains(row[0]) {
          checkDerived("setup", row[0], "value", row[1], expected[row[0]] ?? "(no such setting)")
        } else {
          check("setup", row[0], "value", row[1], expected[row[0]] ?? "(no such setting)")
        }
      }
    }
  }
}
