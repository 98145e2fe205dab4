import ArgumentParser
import Search

@main
struct Odimo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "odimo",
    abstract: "Split a DNN's layers across the compute units of an edge SoC while training it (ODiMO).",
    discussion: """
      Exit status: 0 success, 1 failure while running, 3 bad input (a missing, malformed \
      or inconsistent file or value; the message names it), 4 odimo audit found a claim \
      that differs, 5 odimo audit could not check some claim, 64 bad command line.
      """,
    version: odimoVersion,
    subcommands: [
      DataCommand.self, ModelCommand.self, Train.self, SearchCommand.self, SweepCommand.self, BaselinesCommand.self,
      ReportCommand.self, AuditCommand.self, EvidenceCommand.self, ExportCommand.self, Inspect.self, Cost.self,
      Bench.self,
    ]
  )
}

let odimoVersion = RunProvenance.odimoVersion
