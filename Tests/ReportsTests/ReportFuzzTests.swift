import Foundation
import Reports
import TestSupport
import Testing

/// Seeded mutation fuzzing of report Markdown, as a reviewer might receive it hand-edited
/// or damaged: the audit of every mutant of the committed example reports ends in verdicts
/// or an error, never a crash or a hang. (The runs those reports cite are not in the
/// repository, so every mutant exercises the parsing and the unverifiable paths.)
@Suite struct ReportFuzzTests {
  let scratch = ScratchFolder(inMemory: true)

  static let tokens = [
    "|", "\n", "`", "**", "λ=", "%", "–", "×", "<!-- odimo-report 1 epsilon=", "epsilon=nan", "epsilon=-1", "../",
    "/etc/passwd", "| --- |", "1e308", "NaN", "## ", "0", "-", ".", ",", "é",
  ]

  @Test func mutatedReportsNeverCrashTheAudit() throws {
    let reports = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../reports")
      .standardized
    let seeds = try FileManager.default.contentsOfDirectory(atPath: reports.path).sorted().compactMap { name in
      try? String(contentsOfFile: reports.path + "/" + name + "/report.md", encoding: .utf8)
    }
    try #require(!seeds.isEmpty)
    var mutator = Mutator(state: 0x2E9)
    var outcomes = (audited: 0, refused: 0)
    let path = scratch.file("report.md")
    for index in 0..<Mutator.cases {
      let text = mutator.mutate(seeds[index % seeds.count], tokens: Self.tokens)
      try text.write(toFile: path, atomically: false, encoding: .utf8)
      do {
        let result = try Audit.run(report: path)
        #expect(result.differing.count + result.unverifiable.count + result.confirmed == result.claims.count)
        outcomes.audited += 1
      } catch {
        outcomes.refused += 1
      }
    }
    #expect(outcomes.audited > 0 && outcomes.refused > 0, "\(outcomes)")
  }
}
