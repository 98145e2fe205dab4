import Datasets
import Foundation
import Hardware
import Search

/// Re-derives every number of a report written by `ReportWriter` from the archived run
/// files: accuracy by re-evaluating each run's weights on the test split under its
/// mapping, latency and energy by re-costing the mapping, fronts and gains from those.
public enum Audit {
  public enum Verdict: Sendable, Equatable {
    case confirmed
    /// The recomputed value as the report would print it, and the difference in words.
    case differs(recomputed: String, difference: String)
    case unverifiable(reason: String)
  }

  /// One number (or name) the report states.
  public struct Claim: Sendable {
    public let section: String
    public let subject: String
    public let quantity: String
    public let reported: String
    public let verdict: Verdict
  }

  public struct Result: Sendable {
    public let claims: [Claim]
    public var confirmed: Int { claims.filter { $0.verdict == .confirmed }.count }
    public var differing: [Claim] {
      claims.filter { if case .differs = $0.verdict { true } else { false } }
    }
    public var unverifiable: [Claim] {
      claims.filter { if case .unverifiable = $0.verdict { true } else { false } }
    }
  }

  /// The values a report row is checked against, recomputed from a run file.
  struct Recomputed {
    let run: RunFile
    let accuracy: Double
    let cost: NetworkCostReport
    func metric(_ metric: CostMetric) -> Double? {
      metric == .latency ? cost.latencyCycles : cost.energyMicrojoules
    }
  }

  public static func run(report path: String, progress: (String) -> Void = { _ in }) throws -> Result {
    guard let data = FileManager.default.contents(atPath: path) else { throw ReportError("\(path): no such report") }
    let text = String(decoding: data, as: UTF8.self)
    guard let first = text.split(separator: "\n").first, first.hasPrefix(ReportWriter.marker) else {
      throw ReportError("\(path): not a report written by odimo report (its first line is not the odimo-report marker)")
    }
    guard let epsilonText = first.split(separator: " ").first(where: { $0.hasPrefix("epsilon=") }),
      let epsilon = Double(epsilonText.dropFirst("epsilon=".count))
    else { throw ReportError("\(path): the marker line lacks epsilon=<value>") }
    let folder = (path as NSString).deletingLastPathComponent
    let tables = MarkdownTable.parse(text).map(\.table)
    var claims: [Claim] = []
    func check(_ section: String, _ subject: String, _ quantity: String, _ reported: String, _ recomputed: String?) {
      let verdict: Verdict
      if let recomputed {
        if recomputed == reported {
          verdict = .confirmed
        } else if let a = Formatting.number(reported), let b = Formatting.number(recomputed) {
          verdict = .differs(recomputed: recomputed, difference: String(format: "%+g", b - a))
        } else {
          verdict = .differs(recomputed: recomputed, difference: "recomputed \(recomputed)")
        }
      } else {
        verdict = .unverifiable(reason: "no recomputed value")
      }
      claims.append(Claim(section: section, subject: subject, quantity: quantity, reported: reported, verdict: verdict))
    }
    func unverifiable(_ section: String, _ subject: String, _ quantity: String, _ reported: String, _ why: String) {
      claims.append(
        Claim(
          section: section, subject: subject, quantity: quantity, reported: reported,
          verdict: .unverifiable(reason: why)))
    }
    func resolve(_ cell: String) -> String {
      let trimmed = cell.trimmingCharacters(in: CharacterSet(charactersIn: "` "))
      return trimmed.hasPrefix("/") ? trimmed : folder.isEmpty ? trimmed : folder + "/" + trimmed
    }

    // Searched points and baselines: every cell from its run file.
    let rowTables = tables.filter { ["Point", "Baseline"].contains($0.header.first) }
    var recomputed: [String: Recomputed] = [:]
    var sections: [(table: MarkdownTable, section: String)] = []
    for table in rowTables {
      let section = table.header[0] == "Point" ? "searched points" : "baselines"
      sections.append((table, section))
      for row in table.rows {
        guard let name = row.first, let runCell = table.cell(row, "Run") else { continue }
        progress("re-evaluating \(name)")
        do {
          let run = try RunFile.read(resolve(runCell))
          recomputed[name] = Recomputed(
            run: run, accuracy: try run.recomputedAccuracy(), cost: try run.recomputedCost())
        } catch {
          for (column, cell) in zip(table.header.dropFirst(), row.dropFirst()) where column != "Run" {
            unverifiable(section, name, column, cell, "\(error)")
          }
        }
      }
    }
    let metrics: [CostMetric] =
      recomputed.values.allSatisfy { $0.cost.energyMicrojoules != nil } ? [.latency, .energy] : [.latency]
    func front(_ metric: CostMetric) -> ParetoFront {
      ParetoFront(
        points: recomputed.map { name, value in
          ParetoPoint(
            name: name, kind: value.run.baseline == nil ? .searched : .baseline, accuracy: value.accuracy,
            cost: value.metric(metric) ?? .nan)
        }.sorted { $0.name < $1.name }, epsilon: epsilon)
    }
    let fronts = Dictionary(uniqueKeysWithValues: metrics.map { ($0, Set(front($0).front.map(\.name))) })
    // The n of every accuracy's interval: the test split of the runs' dataset.
    let testImages = recomputed.values.map(\.run).sorted { $0.path < $1.path }.first.flatMap {
      try? DatasetFile(path: $0.configuration.data).split("test").count
    }
    for (table, section) in sections {
      for row in table.rows {
        guard let name = row.first, let value = recomputed[name] else { continue }
        check(section, name, "name", name, value.run.name)
        for (column, cell) in zip(table.header, row).dropFirst() {
          let expected: String?
          switch column {
          case "λ": expected = RunFile.format(value.run.configuration.lambda)
          case "Test accuracy (%)": expected = Formatting.accuracy(value.accuracy)
          case "95 % interval (%)": expected = ReportWriter.intervalText(value.accuracy, images: testImages)
          case "Latency (cycles)": expected = Formatting.cycles(value.cost.latencyCycles)
          case "Searchable-layer latency (cycles)": expected = Formatting.cycles(value.cost.searchable.latencyCycles)
          case "Latency (ms)": expected = Formatting.milliseconds(value.cost.latencyMilliseconds)
          case "Energy (µJ)": expected = value.cost.energyMicrojoules.map(Formatting.microjoules) ?? "n/a"
          case "On latency front": expected = fronts[.latency]?.contains(name) == true ? "yes" : "no"
          case "On energy front": expected = fronts[.energy].map { $0.contains(name) ? "yes" : "no" }
          case "Same mapping as":
            expected = ReportWriter.sameMapping(
              value.run, as: recomputed.values.map(\.run).filter { $0.baseline != nil }.sorted { $0.name < $1.name })
          default: continue
          }
          check(section, name, column, cell, expected)
        }
      }
    }

    // The float reference.
    for table in tables where table.header.first == "Reference" {
      for row in table.rows {
        guard let name = row.first, let accuracy = table.cell(row, "Test accuracy (%)"),
          let checkpoint = table.cell(row, "Checkpoint")
        else { continue }
        guard let data = recomputed.values.first?.run.configuration.data else {
          unverifiable("reference", name, "Test accuracy (%)", accuracy, "no run file to take the dataset from")
          continue
        }
        progress("re-evaluating \(name)")
        do {
          let value = try FloatReference.recomputedAccuracy(checkpoint: resolve(checkpoint), data: data)
          check("reference", name, "Test accuracy (%)", accuracy, Formatting.accuracy(value))
        } catch {
          unverifiable("reference", name, "Test accuracy (%)", accuracy, "\(error)")
        }
      }
    }

    // Gains at iso-accuracy, from the recomputed points.
    for table in tables where table.header.first == "Compared with" {
      for row in table.rows {
        guard let baseline = row.first, let metricName = table.cell(row, "Metric"),
          let metric = CostMetric(rawValue: metricName)
        else { continue }
        let subject = "\(baseline) (\(metricName))"
        guard let base = recomputed[baseline], let baseCost = base.metric(metric) else {
          for (column, cell) in zip(table.header, row).dropFirst(2) {
            unverifiable("gains", subject, column, cell, "the baseline's run was not verified")
          }
          continue
        }
        let gain = front(metric).gains.first { $0.baseline == baseline }
        let searched = gain.flatMap { recomputed[$0.searched] }
        let expected: [String: String] = [
          "Dominated by": front(metric).dominatingBaseline[baseline] ?? "–",
          "Baseline accuracy (%)": Formatting.accuracy(base.accuracy),
          "Baseline cost": ReportWriter.format(baseCost, metric),
          "Searched point": gain?.searched ?? "none as accurate",
          "Searched accuracy (%)": searched.map { Formatting.accuracy($0.accuracy) } ?? "–",
          "Searched cost": searched.flatMap { $0.metric(metric) }.map { ReportWriter.format($0, metric) } ?? "–",
          "Gain (×)": gain.map { Formatting.ratio($0.ratio) } ?? "–",
        ]
        for (column, cell) in zip(table.header, row).dropFirst(2) {
          check("gains", subject, column, cell, expected[column])
        }
      }
    }

    // The headline: one bold claim per metric against the baselines no other baseline
    // dominates (or none), and a "not beaten" line per metric where such baselines
    // dominate every searched point (or none).
    let lines = text.split(separator: "\n").map(String.init)
    let searchedMetric = recomputed.values.map(\.run).sorted { $0.path < $1.path }.first?.configuration.metric
    if let searchedMetric {
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
        let expected = front.headline.map { ReportWriter.headlineClaim($0, metric, searchedMetric: searchedMetric) }
        check(
          "headline", metric.rawValue, "gain at iso-accuracy", claimsByMetric[metric] ?? "(no gain claimed)",
          expected ?? "(no gain claimed)")
        let label = "Not beaten on \(ReportWriter.metricLabel(metric, searchedMetric: searchedMetric)):"
        check(
          "headline", metric.rawValue, "not beaten", lines.first { $0.hasPrefix(label) } ?? "(none stated)",
          ReportWriter.unbeatenLine(front, metric, searchedMetric: searchedMetric) ?? "(none stated)")
      }
    }

    // Every setup row the run files pin down, regenerated from the runs' configuration,
    // and ε with where it came from.
    if let run = recomputed.values.map(\.run).sorted(by: { $0.path < $1.path }).first {
      let noise = testImages.map { AccuracyStatistics.noise(accuracies: recomputed.values.map(\.accuracy), images: $0) }
      let rows =
        ReportWriter.setupRows(run.configuration, costScale: run.costScale) + [
          ["Iso-accuracy tolerance (ε)", ReportWriter.epsilonText(epsilon, noise: noise)]
        ]
      let expected = Dictionary(rows.map { ($0[0], $0[1]) }, uniquingKeysWith: { first, _ in first })
      for table in tables where table.header.first == "Setting" {
        for row in table.rows where row.count >= 2 && row[0] != "Commit" {
          check("setup", row[0], "value", row[1], expected[row[0]] ?? "(no such setting)")
        }
      }
    }
    guard !claims.isEmpty else { throw ReportError("\(path): the report has no tables of claims to audit") }
    return Result(claims: claims)
  }
}
