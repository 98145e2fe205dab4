import ArgumentParser
import Foundation
import Reports
import Search
import Support

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write a Markdown report with PNG figures from a sweep folder or run files.",
    discussion: """
      odimo report out/sweep-diana --out reports/diana writes reports/diana/report.md: the \
      setup (SoC, model, dataset, preset, seed, commit), every searched point (λ, test \
      accuracy, latency in cycles and ms, energy in µJ, on the Pareto front or not), the \
      hand-made baselines, the float reference, the gains at iso-accuracy (ε stated) with \
      the "up to N×" headline, and figures: accuracy vs latency and vs energy \
      (pareto-*.png), channels per unit per layer and training curves of selected points. \
      Sources: sweep folders (odimo sweep run --baselines … --reference) or run files \
      (odimo search / odimo baselines). odimo audit re-checks the report's numbers.
      """
  )

  @Argument(help: "Sweep folders or run files of one SoC, model and dataset.") var sources: [String]
  @Option(name: .shortAndLong, help: "Report folder (created if missing; its files are replaced).") var out: String
  @Option(
    help: """
      Iso-accuracy tolerance in accuracy points (0.5 = half a percentage point). Default: the \
      accuracy noise, the largest binomial standard error of the reported test accuracies.
      """) var epsilon: Double?
  @Flag(help: "Report a sweep that is still running: its unfinished runs are listed instead of refused.")
  var partial = false
  @Flag(
    help: """
      Also write OUT/evidence.h5: every run file and checkpoint the report cites, whole, so \
      odimo audit can check the report without the sweep folder (mail the folder, audit it \
      elsewhere; the dataset comes from --data there) — unless they total more than \
      --bundle-limit; the report's Reproduce section says which.
      """) var bundle = false
  @Option(help: "Largest evidence bundle in MB (10^6 bytes); larger evidence stays where the runs are.")
  var bundleLimit: Double = Double(EvidenceBundle.defaultLimit) / 1e6
  @Flag(help: "Print the report's path and headline figures as JSON.") var json = false

  struct Summary: Encodable {
    let report: String
    let points: Int
    let baselines: Int
    let latencyGain: IsoAccuracyGain?
    let energyGain: IsoAccuracyGain?
  }

  func run() throws {
    try reportingErrors {
      guard bundleLimit >= 0, bundleLimit.isFinite else {
        throw InvalidOption("--bundle-limit", value: bundleLimit, expected: "a size in MB ≥ 0")
      }
      let experiment = try Experiment.load(sources, epsilon: epsilon.map { $0 / 100 }, partial: partial)
      let limit = Int64(bundleLimit * 1e6)
      let path = try ReportWriter.write(experiment, to: out, bundle: bundle, bundleLimit: limit)
      if bundle, case .tooLarge(let bytes, _) = EvidenceBundle.plan(experiment, limit: limit) {
        FileHandle.standardError.write(
          Data(
            ("odimo: note: no \(out)/evidence.h5 — the cited runs total \(ReportWriter.megabytes(bytes)) MB, over "
              + "--bundle-limit \(bundleLimit) MB; the report's Reproduce section says how to regenerate them\n").utf8))
      }
      let summary = Summary(
        report: path, points: experiment.points.count, baselines: experiment.baselines.count,
        latencyGain: experiment.front(.latency).headline,
        energyGain: experiment.metrics.contains(.energy) ? experiment.front(.energy).headline : nil)
      if json { return try printJSON(summary) }
      print("wrote \(path) (\(summary.points) searched points, \(summary.baselines) baselines)")
    }
  }
}

struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Re-derive every number of a report from its run files and give a verdict per claim.",
    discussion: """
      Accuracy is recomputed by re-evaluating each run's stored weights on the test split \
      under its stored mapping (the float reference from its checkpoint); latency and \
      energy by re-costing the mapping; Pareto membership, gains and the headline from \
      those. A claim is confirmed when the recomputed value prints exactly as the report \
      prints it. Exit status: 0 every claim confirmed, 4 some claim differs, 5 none \
      differs but some could not be checked (the reason is given), 3 not a report.

      --claims FILE.json checks claims made elsewhere instead (a paper's table): each \
      claimed point (SoC, model, a mapping or per-layer channel counts, its latency or \
      energy, optionally an accuracy backed by a run file) is re-costed and gets ✓ or ✗ \
      with the difference. Layout: datasets/FORMATS.md, "Claims file".
      """
  )

  @Argument(help: "A report.md written by odimo report.") var report: String?
  @Option(help: "A claims file (.json) to re-cost instead of a report.") var claims: String?
  @Option(
    help: """
      The dataset to re-evaluate on, when it is no longer where the runs recorded it (moved, \
      or audited on another machine); its SHA-256 must be the one the runs recorded.
      """) var data: String?
  @Flag(
    help: """
      Open cited run files and checkpoints outside the report's folder (absolute paths, or \
      paths climbing out with ..). Without it they are taken from the report's evidence \
      bundle or count as unverifiable.
      """) var allowOutside = false
  @Flag(help: "Only print claims that are not confirmed.") var quiet = false
  @Flag(help: "Print every claim and verdict as JSON.") var json = false

  struct ClaimRecord: Encodable {
    let section: String
    let subject: String
    let quantity: String
    let reported: String
    let verdict: String
    let recomputed: String?
    let detail: String?
  }

  func run() throws {
    let result = try auditResult()
    if !result.differing.isEmpty { throw ExitCode(ExitStatus.auditFailed) }
    if !result.unverifiable.isEmpty { throw ExitCode(ExitStatus.auditIncomplete) }
  }

  private func auditResult() throws -> Audit.Result {
    var outcome: Audit.Result?
    try reportingErrors {
      let progress = { (stage: String) in
        if !json { FileHandle.standardError.write(Data("audit: \(stage)\n".utf8)) }
      }
      let result: Audit.Result
      switch (report, claims) {
      case (let report?, nil):
        result = try Audit.run(
          report: report, dataset: data.map(absolutePath), allowOutside: allowOutside, progress: progress)
      case (nil, let claims?): result = try ClaimsAudit.run(claims: claims, progress: progress)
      default: throw InputError("give either a report.md or --claims FILE.json (one of them)")
      }
      outcome = result
      let records = result.claims.map { claim -> ClaimRecord in
        switch claim.verdict {
        case .confirmed:
          return ClaimRecord(
            section: claim.section, subject: claim.subject, quantity: claim.quantity, reported: claim.reported,
            verdict: "confirmed", recomputed: claim.reported, detail: nil)
        case .differs(let recomputed, let difference):
          return ClaimRecord(
            section: claim.section, subject: claim.subject, quantity: claim.quantity, reported: claim.reported,
            verdict: "differs", recomputed: recomputed, detail: difference)
        case .unverifiable(let reason):
          return ClaimRecord(
            section: claim.section, subject: claim.subject, quantity: claim.quantity, reported: claim.reported,
            verdict: "cannot be verified", recomputed: nil, detail: reason)
        }
      }
      if json { return try printJSON(records) }
      for record in records where !(quiet && record.verdict == "confirmed") {
        let mark = record.verdict == "confirmed" ? "✓" : record.verdict == "differs" ? "✗" : "?"
        var line =
          "\(mark) [\(record.section)] \(record.subject) · \(record.quantity) = \(record.reported): \(record.verdict)"
        if record.verdict == "differs", let recomputed = record.recomputed, let detail = record.detail {
          line += " by \(detail) (recomputed \(recomputed))"
        } else if let detail = record.detail {
          line += " (\(detail))"
        }
        print(line)
      }
      print(
        "audit of \(report ?? claims ?? ""): \(result.confirmed) confirmed, \(result.differing.count) differ, "
          + "\(result.unverifiable.count) cannot be verified")
    }
    guard let outcome else { throw ExitCode(ExitStatus.failure) }
    return outcome
  }
}
