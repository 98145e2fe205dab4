import ArgumentParser
import Foundation
import Reports

struct EvidenceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evidence",
    abstract: "Work with a report's evidence bundle (evidence.h5, written by odimo report --bundle).",
    subcommands: [Extract.self]
  )

  struct Extract: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the run files and checkpoint a report's evidence bundle holds back as standalone files.",
      discussion: """
        odimo evidence extract reports/diana --out archive/diana-seed0 rebuilds each file the \
        report cited, whole (weights, mapping, trace, provenance), named as the report cited it \
        below the folder its paths share: archive/diana-seed0/lambda-0.03.h5, \
        archive/diana-seed0/baselines/all-digital.h5, archive/diana-seed0/reference.h5 (the \
        float reference checkpoint). The run files are then sources for odimo report again, \
        for instance beside a sweep of another seed: odimo report archive/diana-seed0/*.h5 \
        archive/diana-seed0/baselines/*.h5 out/diana-seed1 --out reports/diana-2-seeds. \
        Nothing that exists is replaced.
        """
    )

    @Argument(help: "A report folder (or its report.md) with an evidence.h5 beside the report.") var report: String
    @Option(name: .shortAndLong, help: "Folder to write the files into (created if missing).") var out: String
    @Flag(help: "Print every file written as JSON: {cell, path, is_reference}.") var json = false

    func run() throws {
      try reportingErrors {
        let files = try EvidenceBundle.extractAll(from: report, to: out)
        if json { return try printJSON(files) }
        for file in files { print("\(file.path)  (cited as \(file.cell))") }
        print("extracted \(files.count) files into \(out)")
      }
    }
  }
}
