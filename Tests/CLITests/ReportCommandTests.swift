import Foundation
import TestSupport
import Testing

/// The reviewer's path end to end: a sweep with baselines and a float reference, a
/// report from it, an audit that confirms it, and one that fails once a number is edited.
@Suite struct ReportCommandTests {
  let scratch = ScratchFolder()

  @Test func sweepReportAndAuditFromTheCommandLine() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 96, validation: 32, test: 32)
    let sweep = scratch.file("sweep")
    let ran = try odimo(
      "sweep", "run", "--soc", "diana", "--model", "resnet8", "--data", data, "--lambdas", "0,10", "--baselines",
      "all-digital,all-analog", "--reference", "--out", sweep)
    #expect(ran.status == 0, "\(ran.stderr)")
    let unknown = try odimo(
      "sweep", "run", "--soc", "diana", "--model", "resnet8", "--data", data, "--baselines", "all-gpu", "--out",
      scratch.file("other"))
    #expect(unknown.status == 3 && unknown.stderr.contains("all-gpu") && unknown.stderr.contains("all-digital"))

    #expect(try odimo("sweep", "merge", sweep).status == 0)
    let folder = scratch.file("report")
    let report = try odimo("report", sweep, "--out", folder, "--epsilon", "0.5", "--json")
    #expect(report.status == 0, "\(report.stderr)")
    #expect(report.stdout.contains("\"points\" : 2") && report.stdout.contains("\"baselines\" : 2"))
    let path = folder + "/report.md"
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(text.contains("epsilon=0.005"))
    #expect(text.contains("![Accuracy vs latency](pareto-latency.png)"))
    #expect(FileManager.default.fileExists(atPath: folder + "/pareto-energy.png"))
    // The sweep's own summary goes with the report, byte for byte.
    #expect(
      FileManager.default.contents(atPath: folder + "/sweep.json")
        == FileManager.default.contents(atPath: sweep + "/sweep.json")
        && FileManager.default.fileExists(atPath: sweep + "/sweep.json"))

    // The runs lie beside the report's folder, not in it: opened only when allowed.
    let confined = try odimo("audit", path)
    #expect(confined.status == 5 && confined.stdout.contains("--allow-outside"), "\(confined.stdout)")
    let audit = try odimo("audit", path, "--allow-outside")
    #expect(audit.status == 0, "\(audit.stdout)\n\(audit.stderr)")
    #expect(audit.stdout.contains("0 differ, 0 cannot be verified"))

    // Hand-edit one latency figure of the searched-points table.
    var lines = text.components(separatedBy: "\n")
    let row = try #require(lines.firstIndex { $0.hasPrefix("| λ=10 |") })
    var cells = lines[row].components(separatedBy: " | ")
    cells[5] = "1,234"  // Point, λ, seed, accuracy, interval, latency
    lines[row] = cells.joined(separator: " | ")
    try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
    let tampered = try odimo("audit", path, "--quiet", "--allow-outside")
    #expect(tampered.status == 4)
    #expect(tampered.stdout.contains("✗ [searched points] λ=10 · Latency (cycles) = 1,234: differs"))

    // The Reproduce section asks for this very sweep: run against its folder, the command is
    // accepted as the same sweep and finds nothing to do; with one option changed it is refused.
    let commands = reproduceCommands(text, prefix: ["odimo", "sweep", "run"])
    try #require(commands.count == 1)
    #expect(commands[0].contains("--cost-gradient") && commands[0].last == sweep)
    let files = try FileManager.default.contentsOfDirectory(atPath: sweep).sorted()
    let again = try odimo(commands[0])
    #expect(again.status == 0, "\(again.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: sweep).sorted() == files)
    let other = commands[0].map { $0 == "latency" ? "energy" : $0 }
    #expect(try odimo(other).status == 3)
    #expect(
      reproduceCommands(text, prefix: ["odimo", "report"]) == [["report", sweep, "--out", folder, "--epsilon", "0.5"]])

    let notReport = try odimo("audit", data)
    #expect(notReport.status == 3 && notReport.stderr.contains("not a report"))
    let noSources = try odimo("report", scratch.file("missing"), "--out", folder)
    #expect(noSources.status == 3 && noSources.stderr.contains("missing"))
  }

  /// `--seeds` runs the sweep once per seed (the others into DIR/seed-N); the report on DIR
  /// takes them along and the audit confirms it.
  @Test func seedsFromTheCommandLine() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 96, validation: 32, test: 32)
    let sweep = scratch.file("sweep")
    let arguments = [
      "sweep", "run", "--soc", "diana", "--model", "resnet8", "--data", data, "--lambdas", "1", "--baselines",
      "all-digital", "--out", sweep,
    ]
    let ran = try odimo(arguments + ["--seeds", "3,4"])
    #expect(ran.status == 0, "\(ran.stderr)")
    #expect(FileManager.default.fileExists(atPath: sweep + "/lambda-1.0.h5"))
    #expect(FileManager.default.fileExists(atPath: sweep + "/seed-4/baselines/all-digital.h5"))
    let twice = try odimo(arguments + ["--seeds", "3,3"])
    #expect(twice.status == 64 && twice.stderr.contains("--seeds"))

    let folder = scratch.file("report")
    let report = try odimo("report", sweep, "--out", folder)
    #expect(report.status == 0, "\(report.stderr)")
    let text = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    #expect(text.contains("| Seeds | 3, 4 |") && text.contains("## Across seeds"))
    let audit = try odimo("audit", folder + "/report.md", "--allow-outside")
    #expect(audit.status == 0, "\(audit.stdout)\n\(audit.stderr)")
    // One command per seed's folder, each accepted by the sweep it names.
    let commands = reproduceCommands(text, prefix: ["odimo", "sweep", "run"])
    #expect(commands.map(\.last) == [sweep, sweep + "/seed-4"])
    for command in commands { #expect(try odimo(command).status == 0) }

    // Evidence over --bundle-limit is left where it is, and the report says so.
    let small = scratch.file("small")
    let limited = try odimo("report", sweep, "--out", small, "--bundle", "--bundle-limit", "0.01")
    #expect(limited.status == 0 && limited.stderr.contains("--bundle-limit"), "\(limited.stderr)")
    #expect(!FileManager.default.fileExists(atPath: small + "/evidence.h5"))
    let smallText = try String(contentsOfFile: small + "/report.md", encoding: .utf8)
    #expect(smallText.contains("not bundled here") && smallText.contains("--bundle"))
    // The Reproduce section's report command carries the limit that decided it.
    let reportCommands = reproduceCommands(smallText, prefix: ["odimo", "report"])
    #expect(reportCommands.first?.suffix(3) == ["--bundle", "--bundle-limit", "0.01"], "\(reportCommands)")
    let bundled = try odimo("report", sweep, "--out", small, "--bundle")
    #expect(bundled.status == 0 && FileManager.default.fileExists(atPath: small + "/evidence.h5"))
    #expect(try odimo("report", sweep, "--out", small, "--bundle", "--bundle-limit", "-1").status == 64)

    // The bundle's runs, extracted, are run files again: a report on them alone equals the
    // bundled one's tables, and the audit confirms it. Nothing existing is replaced.
    let archive = scratch.file("archive")
    let extracted = try odimo("evidence", "extract", small, "--out", archive, "--json")
    #expect(extracted.status == 0, "\(extracted.stderr)")
    let entries = try #require(
      try JSONSerialization.jsonObject(with: Data(extracted.stdout.utf8)) as? [[String: Any]])
    let runs = entries.filter { $0["is_reference"] as? Bool == false }.compactMap { $0["path"] as? String }
    #expect(runs.count == entries.count)  // this sweep has no float reference
    #expect(runs.contains(archive + "/seed-4/baselines/all-digital.h5"), "\(runs)")
    let again = scratch.file("again")
    let rebuilt = try odimo(["report"] + runs + ["--out", again])
    #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
    let rebuiltText = try String(contentsOfFile: again + "/report.md", encoding: .utf8)
    // The searched points' rows, but for the run file each cites.
    let pointRows = { (text: String) in
      text.components(separatedBy: "\n").filter { $0.hasPrefix("| λ=") }.map {
        $0.components(separatedBy: " | ").dropLast()
      }
    }
    #expect(rebuiltText.contains("| Seeds | 3, 4 |"))
    #expect(!pointRows(smallText).isEmpty && pointRows(rebuiltText) == pointRows(smallText))
    #expect(try odimo("audit", again + "/report.md", "--allow-outside").status == 0)
    #expect(try odimo("evidence", "extract", small, "--out", archive).status == 3)
    #expect(try odimo("evidence", "extract", scratch.file("nowhere"), "--out", archive).status == 3)
  }

  /// The shell commands of a report's Reproduce section that start with `prefix`, split into
  /// arguments (single-quoted arguments unquoted, as a shell would).
  func reproduceCommands(_ report: String, prefix: [String]) -> [[String]] {
    guard let section = report.components(separatedBy: "## Reproduce").last else { return [] }
    return section.components(separatedBy: "\n").map(shellWords).filter { Array($0.prefix(prefix.count)) == prefix }
      .map { Array($0.dropFirst()) }
  }

  func shellWords(_ line: String) -> [String] {
    var words: [String] = []
    var current = ""
    var quoted = false
    var inWord = false
    for character in line {
      if character == "'" {
        quoted.toggle()
        inWord = true
      } else if character == " " && !quoted {
        if inWord { words.append(current) }
        current = ""
        inWord = false
      } else {
        current.append(character)
        inWord = true
      }
    }
    if inWord { words.append(current) }
    return words
  }

  /// `audit --claims`: a true claim is confirmed, an inflated one is named with its
  /// difference (exit 4); per-layer channel counts re-cost like a mapping file would.
  @Test func claimsFromTheCommandLine() throws {
    func latency(_ arguments: String...) throws -> Double {
      let result = try odimo(["cost", "network", "--json"] + arguments)
      #expect(result.status == 0, "\(result.stderr)")
      let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
      return try #require(object?["latency_cycles"] as? Double)
    }
    let digital = try latency("--soc", "diana", "--model", "resnet20", "--mapping", "all-digital")
    let dws = try latency("--soc", "darkside", "--model", "mobilenetv1", "--stem-stride", "2", "--mapping", "dws")
    let claims = scratch.file("claims.json")
    try """
    {"claims": [
      {"name": "true", "soc": "diana", "model": "resnet20", "mapping": "all-digital", "latency_cycles": \(digital)},
      {"name": "inflated", "soc": "diana", "model": "resnet20", "mapping": "all-digital",
       "latency_cycles": \(digital / 3)},
      {"name": "counts", "soc": "darkside", "model": "mobilenetv1", "stem_stride": 2, "mapping": "all-dwe",
       "layer_channels": {"block7": [16, 496]}, "searchable_latency_cycles": 1}
    ]}
    """.write(toFile: claims, atomically: true, encoding: .utf8)
    let audit = try odimo("audit", "--claims", claims)
    #expect(audit.status == 4, "\(audit.stdout)\n\(audit.stderr)")
    #expect(audit.stdout.contains("✓ [claims] true · latency (cycles)"))
    #expect(audit.stdout.contains("✗ [claims] inflated · latency (cycles)") && audit.stdout.contains("+200.00 %"))
    #expect(audit.stdout.contains("✗ [claims] counts · searchable-layer latency (cycles)"))
    #expect(dws > 0)
    let neither = try odimo("audit")
    #expect(neither.status == 3 || neither.status == 64)
  }

  /// A λ so large the loss overflows: that point stops as diverged (its file keeps the last
  /// complete epoch and says where), the sweep finishes the others, status says diverged,
  /// the report names it without numbers and the audit confirms the report.
  @Test func aDivergedPointIsNamedNotNumbered() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 96, validation: 32, test: 32)
    let sweep = scratch.file("sweep")
    let ran = try odimo(
      "sweep", "run", "--soc", "diana", "--model", "resnet8", "--data", data, "--lambdas", "0,1e308", "--out", sweep)
    #expect(ran.status == 0, "\(ran.stderr)")
    #expect(ran.stderr.contains("diverged at epoch"))
    let status = try odimo("sweep", "status", sweep)
    #expect(status.stdout.contains("diverged"), "\(status.stdout)")
    let search = try odimo(
      "search", "--soc", "diana", "--model", "resnet8", "--data", data, "--lambda", "1e308", "--out",
      scratch.file("one.h5"))
    #expect(search.status == 1 && search.stderr.contains("diverged at epoch"), "\(search.stderr)")
    let folder = scratch.file("report")
    let report = try odimo("report", sweep, "--out", folder)
    #expect(report.status == 0, "\(report.stderr)")
    let text = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    #expect(text.contains("## Diverged runs") && text.contains("| λ=1e+308 | 0 | epoch"))
    let audit = try odimo("audit", folder + "/report.md", "--allow-outside")
    #expect(audit.status == 0, "\(audit.stdout)")
  }
}
