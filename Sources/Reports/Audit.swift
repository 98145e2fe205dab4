import Datasets
import Foundation
import Hardware
import Search

/// Re-derives every number of a report written by `ReportWriter` from the archived run
/// files: accuracy by re-evaluating each run's weights on the test split under its
/// mapping, latency and energy by re-costing the mapping, fronts and gains from those.
package enum Audit {
  package enum Verdict: Sendable, Equatable {
    case confirmed
    /// The recomputed value as the report would print it, and the difference in words.
    case differs(recomputed: String, difference: String)
    case unverifiable(reason: String)
  }

  /// One number (or name) the report states.
  package struct Claim: Sendable {
    package let section: String
    package let subject: String
    package let quantity: String
    package let reported: String
    package let verdict: Verdict
  }

  package struct Result: Sendable {
    package let claims: [Claim]
    package var confirmed: Int { claims.filter { $0.verdict == .confirmed }.count }
    package var differing: [Claim] {
      claims.filter { if case .differs = $0.verdict { true } else { false } }
    }
    package var unverifiable: [Claim] {
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

  /// Re-checks the report at `path`; `progress` hears which run is being re-evaluated.
  /// `dataset` evaluates on that file instead of the path the runs recorded (a moved
  /// dataset), provided its SHA-256 is the recorded one. Cited files outside the report's
  /// folder are opened only with `allowOutside` (else taken from its evidence bundle).
  package static func run(
    report path: String, dataset: String? = nil, allowOutside: Bool = false, progress: (String) -> Void = { _ in }
  ) throws -> Result {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ReportError.report(file: path, problem: "no such report")
    }
    let text = String(decoding: data, as: UTF8.self)
    guard let first = text.split(separator: "\n").first, first.hasPrefix(ReportWriter.marker) else {
      throw ReportError.report(
        file: path, problem: "not a report written by odimo report (its first line is not the odimo-report marker)")
    }
    guard let epsilonText = first.split(separator: " ").first(where: { $0.hasPrefix("epsilon=") }),
      let epsilon = Double(epsilonText.dropFirst("epsilon=".count))
    else { throw ReportError.report(file: path, problem: "the marker line lacks epsilon=<value>") }
    guard epsilon.isFinite, epsilon >= 0, epsilon < 1 else {
      throw ReportError.report(file: path, problem: "the marker's epsilon=\(epsilon) is not a tolerance in [0, 1)")
    }
    var audit = AuditPass(
      folder: (path as NSString).deletingLastPathComponent, text: text, epsilon: epsilon,
      tables: MarkdownTable.parse(text).map(\.table))
    audit.dataset = dataset
    audit.allowOutside = allowOutside
    defer { audit.cleanUp() }
    audit.recomputeRuns(progress: progress)
    audit.checkRunRows()
    audit.checkReference(progress: progress)
    audit.checkDiverged()
    audit.checkSeedsTable()
    audit.checkGains()
    audit.checkHeadline()
    audit.checkSetup()
    guard !audit.claims.isEmpty else {
      throw ReportError.report(file: path, problem: "the report has no tables of claims to audit")
    }
    return Result(claims: audit.claims)
  }
}
