import Foundation
import Search

/// The sections of `report.md`, in order; each returns its lines (blank line included).
extension ReportWriter {
  static func titleSection(_ experiment: Experiment) -> [String] {
    let configuration = experiment.configuration
    let dataset = (configuration.data as NSString).lastPathComponent
    return [
      "\(marker) epsilon=\(experiment.epsilon) -->",
      "# ODiMO on \(configuration.soc): \(configuration.model) on \(dataset)",
      "", headline(experiment), "",
    ]
  }

  /// The setup table, the partial-report notice and the protocol paragraph.
  static func setupSection(_ experiment: Experiment) -> [String] {
    let configuration = experiment.configuration
    var lines = ["## Setup", ""]
    lines.append(
      MarkdownTable(
        header: [ReportSchema.setup, "Value"],
        rows: setupRows(
          configuration, costScale: experiment.costScale, seeds: experiment.seeds,
          costGradient: searchedCostGradient(experiment.points.map(\.configuration))) + [
            [
              "Iso-accuracy tolerance (ε)",
              epsilonText(
                experiment.epsilon, noise: experiment.noise, seedDeviation: SeedGroup.seedDeviation(experiment.groups)),
            ],
            ["Commit", "`\(experiment.commit)`"],
          ]
      ).markdown())
    lines.append("")
    if !experiment.unfinished.isEmpty {
      lines.append(
        "**Partial report:** \(experiment.unfinished.joined(separator: ", ")) had not finished when it was made; "
          + "the sweep continues where it stopped (`odimo sweep run` with the same options), and a new report "
          + "includes them.")
      lines.append("")
    }
    lines.append(
      "Every network gets the same weight training: the warmup, then the fine-tune epochs under its frozen mapping; "
        + "searched points also spend the search epochs choosing that mapping (the search epoch with the lowest "
        + "validation loss + λ·cost gives it). Accuracy is top-1 on the test split at the best validation epoch; "
        + "latency and energy come from the cost model of \(configuration.soc) for the exported mapping, for the "
        + "whole network and for the searchable layers alone (the figure the ODiMO paper quotes).")
    lines.append("")
    return lines
  }

  /// The searched-points and baselines tables: one row per run, the claims the audit re-derives.
  static func runTablesSection(_ experiment: Experiment, folder: String) -> [String] {
    let fronts = Dictionary(
      uniqueKeysWithValues: experiment.metrics.map { ($0, Set(experiment.front($0).front.map(\.name))) })
    func row(_ run: RunFile, first: [String], beforeRun extra: [String] = []) -> [String] {
      var cells =
        first + [
          "\(run.configuration.seed)",
          Formatting.accuracy(run.testAccuracy), intervalText(run.testAccuracy, images: experiment.testImages),
          Formatting.cycles(run.latencyCycles),
          Formatting.cycles(run.searchableLatencyCycles), Formatting.milliseconds(run.latencyMilliseconds),
          run.energyMicrojoules.map(Formatting.microjoules) ?? "n/a",
        ]
      for metric in experiment.metrics { cells.append(fronts[metric]?.contains(run.name) == true ? "yes" : "no") }
      cells += extra
      cells.append("`\(relativePath(run.path, from: folder))`")
      return cells
    }
    let costHeader =
      [
        "Test accuracy (%)", "95 % interval (%)", "Latency (cycles)", "Searchable-layer latency (cycles)",
        "Latency (ms)", "Energy (µJ)",
      ]
      + experiment.metrics.map { "On \($0.rawValue) front" } + ["Run"]
    var lines: [String] = []
    if !experiment.points.isEmpty {
      lines += ["## Searched points", ""]
      lines.append(
        MarkdownTable(
          header: [ReportSchema.points, "λ", "Seed"] + costHeader.dropLast() + ["Same mapping as", "Run"],
          rows: experiment.points.map {
            row(
              $0, first: [$0.name, RunFile.format($0.configuration.lambda)],
              beforeRun: [sameMapping($0, as: experiment.baselines)])
          }
        ).markdown(numeric: Set(1...8)))
      lines.append("")
    }
    if !experiment.baselines.isEmpty {
      lines += ["## Hand-made baselines", ""]
      lines.append(
        MarkdownTable(
          header: [ReportSchema.baselines, "Seed"] + costHeader,
          rows: experiment.baselines.map { row($0, first: [$0.name]) }
        )
        .markdown(numeric: Set(1...7)))
      lines.append("")
    }
    return lines
  }

  static func referenceSection(_ experiment: Experiment, folder: String) -> [String] {
    guard let reference = experiment.reference else { return [] }
    return [
      MarkdownTable(
        header: [ReportSchema.reference, "Test accuracy (%)", "Epochs", "Checkpoint"],
        rows: [
          [
            "float \(reference.model)", Formatting.accuracy(reference.testAccuracy), "\(reference.epochs)",
            "`\(relativePath(reference.checkpoint, from: folder))`",
          ]
        ]
      ).markdown(numeric: [1, 2]),
      "",
    ]
  }

  /// The Pareto plots and, for the selected points, their mapping and training charts.
  static func figuresSection(_ experiment: Experiment, _ selected: [RunFile]) -> [String] {
    var lines = ["## Figures", ""]
    for metric in experiment.metrics {
      lines += ["![Accuracy vs \(metric.rawValue)](pareto-\(metric.rawValue).png)", ""]
    }
    guard !selected.isEmpty else { return lines }
    lines += ["## Per-layer mapping of selected points", ""]
    for run in selected {
      lines += [
        "### \(run.name): \(Formatting.accuracy(run.testAccuracy)) %, \(Formatting.cycles(run.latencyCycles)) cycles",
        "", "![Channels per unit, \(run.name)](mapping-\(slug(run.name)).png)", "",
        "![Training curves, \(run.name)](training-\(slug(run.name)).png)", "",
      ]
    }
    return lines
  }
}
