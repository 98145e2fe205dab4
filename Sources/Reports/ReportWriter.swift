import Engine
import Foundation
import HDF5
import Hardware
import Plot
import Search
import Support

/// Writes a paper-style Markdown report with its PNG figures into a folder.
package enum ReportWriter {
  /// The report's file name inside its folder.
  package static let fileName = "report.md"
  /// First line of every report: the audit finds its settings here.
  static let marker = "<!-- odimo-report 1"

  /// Writes `folder/report.md` and the figures; returns the report's path. With `bundle`,
  /// also `folder/evidence.h5` (`EvidenceBundle`): every cited run file and checkpoint, when
  /// they total at most `bundleLimit` bytes (the report says which happened).
  @discardableResult
  package static func write(
    _ experiment: Experiment, to folder: String, font: Font? = nil, bundle: Bool = false,
    bundleLimit: Int64 = EvidenceBundle.defaultLimit
  ) throws -> String {
    guard !experiment.points.isEmpty || !experiment.baselines.isEmpty else {
      throw ReportError.nothingToReport([])
    }
    let font = try font ?? Font()
    var figures: [String: Canvas] = [:]
    for metric in experiment.metrics {
      figures["pareto-\(metric.rawValue).png"] = try ReportCharts.pareto(experiment, metric: metric).render(font: font)
    }
    let selected = selectedPoints(experiment)
    for run in selected {
      figures["mapping-\(slug(run.name)).png"] = try ReportCharts.mapping(run).render(font: font)
      figures["training-\(slug(run.name)).png"] = try Figure.panels(
        ReportCharts.training(run, warmup: run.trace.first?.phase == .warmup ? [] : experiment.warmupTrace),
        panelHeight: 200, font: font)
    }
    let evidence = EvidenceBundle.plan(experiment, limit: bundle ? bundleLimit : nil)
    let text = markdown(experiment, folder: folder, selected: selected, evidence: evidence, bundleLimit: bundleLimit)
    let encoded = try figures.map { ($0.key, try $0.value.pngData()) }
    // The report is written into a temporary folder and swapped in whole, so a killed or
    // failed report leaves the old one as it was, never new figures beside old text.
    try SafeWrite.replaceFolder(folder, replaceable: isReportFile) { temporary in
      if case .bundled = evidence {
        let cited = EvidenceBundle.citedFiles(experiment)
        try EvidenceBundle.write(
          cited.runs.map { (relativePath($0, from: folder), $0) },
          reference: cited.reference.map { (relativePath($0, from: folder), $0) }, to: temporary)
      }
      for (name, png) in encoded { try SafeWrite.write(png, to: temporary + "/" + name) }
      if let summary = experiment.sweepSummary {
        try SafeWrite.write(try Data(contentsOf: URL(fileURLWithPath: summary)), to: temporary + "/" + sweepSummaryName)
      }
      try SafeWrite.write(Data(text.utf8), to: temporary + "/" + fileName)
    }
    let path = folder + "/" + fileName
    return path
  }

  /// Whether `name` in a report folder is one of the files a report consists of (a folder
  /// holding anything else is not replaced).
  static func isReportFile(_ name: String) -> Bool {
    name == fileName || name == EvidenceBundle.fileName || name == sweepSummaryName || name.hasSuffix(".png")
  }

  /// The sweep's merged summary, copied beside the report when it reports on a sweep folder.
  static let sweepSummaryName = "sweep.json"

  /// Points whose mapping the report shows: each metric's headline point, the most
  /// accurate and the cheapest searched point (no repeats).
  static func selectedPoints(_ experiment: Experiment) -> [RunFile] {
    var names: [String] = []
    for metric in experiment.metrics {
      if let headline = experiment.front(metric).headline { names.append(headline.searched) }
    }
    if let best = experiment.points.max(by: { $0.testAccuracy < $1.testAccuracy }) { names.append(best.name) }
    if let cheapest = experiment.points.min(by: { $0.latencyCycles < $1.latencyCycles }) { names.append(cheapest.name) }
    var seen: Set<String> = []
    return names.compactMap { name in
      guard seen.insert(name).inserted else { return nil }
      return experiment.points.first { $0.name == name }
    }
  }

  static func slug(_ name: String) -> String {
    name.replacingOccurrences(of: "λ=", with: "lambda-").map {
      $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" ? $0 : "-"
    }
    .map(String.init).joined()
  }

  /// `target` relative to the folder `base` (both made absolute first).
  static func relativePath(_ target: String, from base: String) -> String {
    func components(_ path: String) -> [String] {
      let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
      return URL(fileURLWithPath: absolute).standardizedFileURL.pathComponents
    }
    let to = components(target)
    let from = components(base)
    var shared = 0
    while shared < min(to.count, from.count), to[shared] == from[shared] { shared += 1 }
    return (Array(repeating: "..", count: from.count - shared) + to[shared...]).joined(separator: "/")
  }

  static func unitsLine(_ experiment: Experiment) -> String {
    experiment.configuration.metric == .latency ? "latency" : "energy"
  }

  /// The report's text; tables hold the claims `Audit` re-checks.
  static func markdown(
    _ experiment: Experiment, folder: String, selected: [RunFile], evidence: EvidenceBundle.Plan = .notAsked,
    bundleLimit: Int64 = EvidenceBundle.defaultLimit
  ) -> String {
    let sections: [[String]] = [
      titleSection(experiment), setupSection(experiment), runTablesSection(experiment, folder: folder),
      divergedSection(experiment.diverged, folder: folder),
      seedsSection(experiment.groups, metrics: experiment.metrics, testImages: experiment.testImages),
      referenceSection(experiment, folder: folder), gainsSection(experiment), figuresSection(experiment, selected),
      reproduceSection(experiment, folder: folder, evidence: evidence, bundleLimit: bundleLimit),
    ]
    let closing =
      "Generated by `odimo report`; `odimo audit` re-derives every number in the tables above from the run files."
    return (sections.flatMap { $0 } + [closing]).joined(separator: "\n") + "\n"
  }

  /// The setup table's rows that a run's configuration pins down (all but the commit):
  /// the report prints them, the audit regenerates them from the run files and compares.
  static func setupRows(
    _ configuration: SearchConfiguration, costScale: Double?, seeds: [UInt64], costGradient: CostGradient?
  ) -> [[String]] {
    let preset = configuration.preset
    // Whether the supernet was the folded one (float warmup on a shared-weights SoC).
    let folded =
      configuration.warmup == .float && (try? SoCCatalogue.soc(configuration.soc))?.mappingStyle == .sharedWeights
    let searchRows: [[String]] = costGradient.map { [["Cost gradient", costGradientText($0)]] } ?? []
    let before: [[String]] = [
      ["SoC", configuration.soc],
      ["Model", modelText(configuration)],
      ["Dataset", "`\(configuration.data)`"],
      ["Training images", configuration.trainLimit.map { Formatting.grouped(Int64($0)) } ?? "all"],
      [
        "Preset",
        "\(preset.name): warmup \(preset.warmupEpochs), search \(preset.searchEpochs), fine-tune "
          + "\(preset.fineTuneEpochs) epochs (fine-tune from the \(preset.fineTuneFrom.rawValue) weights), "
          + "batch \(preset.batchSize)",
      ],
      ["Learning rates", learningRates(preset, folded: folded)],
      ["Warmup", warmupText(configuration, folded: folded)],
      [
        "Search starts from",
        configuration.initialSplit == "half" ? "half the channels on each unit" : configuration.initialSplit,
      ],
      ["Search metric", "\(configuration.metric.rawValue), λ on the \(lambdaScaleText(configuration, costScale))"],
    ]
    // fp32 is every run's precision unless bf16 was asked for; only then does the table say it.
    let precisionRows: [[String]] =
      configuration.precision == .fp32 ? [] : [["Precision", precisionText(configuration.precision)]]
    let after: [[String]] =
      precisionRows + [
        ["Selection", "epochs and the searched mapping on the validation split; accuracy reported on the test split"],
        [seeds.count == 1 ? "Seed" : "Seeds", seeds.map(String.init).joined(separator: ", ")],
      ]
    return before + searchRows + after
  }

  /// What the convolutions computed in (`--precision`).
  static func precisionText(_ precision: Precision) -> String {
    switch precision {
    case .fp32: "fp32"
    case .bf16:
      "bf16: convolutions with output maps of 16×16 or more (not depthwise) read input, weights and output "
        + "gradients as bfloat16 and accumulate in float32"
    }
  }

  /// How the searched points' cost term reached their splits (`--cost-gradient`).
  static func costGradientText(_ gradient: CostGradient) -> String {
    switch gradient {
    case .local: "local: the smooth cost's own derivative (⌈ch/N⌉ with slope 1/N)"
    case .secant: "secant: towards the whole split that saves the most per channel moved, at that rate"
    }
  }

  /// The cost gradient of the searched points (λ > 0; the rule cannot matter at λ = 0 or in
  /// a baseline), nil when no run searched with a cost term.
  static func searchedCostGradient(_ configurations: [SearchConfiguration]) -> CostGradient? {
    configurations.first { $0.lambda > 0 }?.costGradient
  }

  /// The Wilson 95 % interval of a test accuracy on `images` images ("n/a" without n).
  static func intervalText(_ accuracy: Double, images: Int?) -> String {
    images.map { Formatting.interval(AccuracyStatistics.wilson(accuracy: accuracy, images: $0)) } ?? "n/a"
  }

  /// What ε is and where it came from; the audit regenerates it from the recomputed accuracies.
  static func epsilonText(_ epsilon: Double, noise: Double?, seedDeviation: Double?) -> String {
    let points = Formatting.accuracy(epsilon) + " accuracy points"
    guard let noise, noise == epsilon else { return points + " (set with --epsilon)" }
    guard let seedDeviation else {
      return points + ": the accuracy noise, the largest binomial standard error of the test accuracies (one seed)"
    }
    return points
      + ": the accuracy noise, the larger of the largest binomial standard error of the test accuracies and the "
      + "seed-to-seed standard deviation of one run's accuracy (\(Formatting.accuracy(seedDeviation)) points, pooled "
      + "over the points run with several seeds)"
  }

  /// Mean, deviation and 95 % t-interval over seeds of every point, when any point has
  /// more than one seed (nothing otherwise). A single-seed row's interval is its Wilson one.
  static func seedsSection(_ groups: [SeedGroup], metrics: [CostMetric], testImages: Int? = nil) -> [String] {
    guard SeedGroup.hasSeeds(groups) else { return [] }
    let rows = groups.map { group in seedsRow(group, metrics: metrics, testImages: testImages) }
    return [
      "## Across seeds",
      "",
      "Points and baselines by their mean over seeds, which the fronts, gains and headline compare. The interval is "
        + "the 95 % Student-t interval of the mean accuracy (the binomial Wilson interval for a point run with one "
        + "seed); the deviation is the sample standard deviation over seeds.",
      "",
      MarkdownTable(header: seedsHeader(metrics), rows: rows).markdown(numeric: Set(2..<(4 + metrics.count + 1))),
      "",
    ]
  }

  static func seedsHeader(_ metrics: [CostMetric]) -> [String] {
    [ReportSchema.acrossSeeds, "Seeds", "Mean accuracy (%)", "Deviation (points)", "95 % interval (%)"]
      + metrics.map { $0 == .latency ? "Mean latency (cycles)" : "Mean energy (µJ)" }
  }

  static func seedsRow(_ group: SeedGroup, metrics: [CostMetric], testImages: Int?) -> [String] {
    let statistics = AccuracyStatistics.overSeeds(group.members.map(\.accuracy))
    let interval =
      statistics.interval.map(Formatting.interval)
      ?? intervalText(statistics.mean, images: testImages)
    return [
      group.name, group.seeds.map(String.init).joined(separator: ", "), Formatting.accuracy(statistics.mean),
      statistics.deviation.map(Formatting.accuracy) ?? "–", interval,
    ] + metrics.map { format(group.cost($0), $0) }
  }

  static func modelText(_ configuration: SearchConfiguration) -> String {
    var options: [String] = []
    if configuration.width != 1 { options.append("width \(configuration.width)") }
    if let stride = configuration.stemStride { options.append("stem stride \(stride)") }
    return configuration.model + (options.isEmpty ? "" : " (\(options.joined(separator: ", ")))")
  }

  static func learningRates(_ preset: SearchPreset, folded: Bool) -> String {
    "weights (SGD) \(preset.learningRate)"
      + (folded ? ", \(preset.learningRate(in: .search, folded: true)) once batch norm is folded" : "")
      + "; logits (Adam) \(preset.logitLearningRate); temperature \(preset.initialTemperature) → "
      + "\(preset.finalTemperature)"
  }

  static func warmupText(_ configuration: SearchConfiguration, folded: Bool) -> String {
    folded
      ? "the float model, then batch norm folded into the quantized supernet when the search starts"
      : "the supernet under a random split per step and layer"
  }

  static func lambdaScaleText(_ configuration: SearchConfiguration, _ scale: Double?) -> String {
    guard configuration.lambdaScale == "normalized" else { return "raw scale (cycles or mW·cycles)" }
    let unit = configuration.metric == .latency ? "cycles" : "mW·cycles"
    return "normalized scale (cost ÷ the starting mapping's cost"
      + (scale.map { ", " + Formatting.cycles($0) + " \(unit)" } ?? "") + ")"
  }

  static func metricUnit(_ metric: CostMetric) -> String { metric == .latency ? "cycles" : "µJ" }

  static func format(_ value: Double, _ metric: CostMetric) -> String {
    metric == .latency ? Formatting.cycles(value) : Formatting.microjoules(value)
  }

  /// "Up to N× lower latency … at iso-accuracy" against the baselines no other baseline
  /// dominates, or why there is no such claim; then one line per such baseline the search
  /// did not beat.
  static func headline(_ experiment: Experiment) -> String {
    let tolerance =
      experiment.epsilon == 0
      ? "at iso-accuracy" : "within ε = \(Formatting.accuracy(experiment.epsilon)) accuracy points (the noise)"
    var claims: [String] = []
    for metric in experiment.metrics {
      guard let best = experiment.front(metric).headline else { continue }
      let twin = handMadeTwin(of: best.searched, points: experiment.points, baselines: experiment.baselines)
      claims.append(headlineClaim(best, metric, searchedMetric: experiment.configuration.metric, twin: twin))
    }
    var lines: [String] = []
    if claims.isEmpty {
      lines.append(
        "No searched point is as accurate as a hand-made baseline that no other baseline dominates \(tolerance), "
          + "so no gain is claimed.")
    } else {
      lines.append(
        "\(tolerance.prefix(1).uppercased() + tolerance.dropFirst()), ODiMO's searched mappings reach "
          + claims.joined(separator: " and ")
          + " compared with the hand-made baselines that no other baseline dominates.")
    }
    for metric in experiment.metrics {
      let line = unbeatenLine(experiment.front(metric), metric, searchedMetric: experiment.configuration.metric)
      if let line { lines.append("\n" + line) }
    }
    for line in PaperHeadline.lines(
      soc: experiment.configuration.soc, metrics: experiment.metrics, groups: experiment.groups,
      epsilon: experiment.epsilon,
      twin: { handMadeTwin(of: $0, points: experiment.points, baselines: experiment.baselines) })
    {
      lines.append("\n" + line)
    }
    return lines.joined(separator: "\n")
  }

  /// "Not beaten on latency: min-latency-max8bit …" when standing baselines dominate every
  /// searched point (nil otherwise). The audit regenerates it.
  static func unbeatenLine(_ front: ParetoFront, _ metric: CostMetric, searchedMetric: CostMetric) -> String? {
    let unbeaten = front.unbeaten
    guard !unbeaten.isEmpty else { return nil }
    return "Not beaten on \(metricLabel(metric, searchedMetric: searchedMetric)): "
      + unbeaten.joined(separator: ", ")
      + " \(unbeaten.count == 1 ? "is" : "are each") at least as accurate and at most as costly as every searched point."
  }

  /// The metric's name, labelled when the search optimised the other one.
  static func metricLabel(_ metric: CostMetric, searchedMetric: CostMetric) -> String {
    metric == searchedMetric ? metric.rawValue : "\(metric.rawValue) (of \(searchedMetric.rawValue)-optimised searches)"
  }

  /// "**up to 2.82× lower latency** (λ=3 against all-digital, +0.12 accuracy points)"; a gain that prints as
  /// 1.00 is "the same", and below that the search lost, which the wording says. A metric
  /// the search did not optimise is labelled as such.
  static func headlineClaim(
    _ gain: IsoAccuracyGain, _ metric: CostMetric, searchedMetric: CostMetric, twin: String? = nil
  ) -> String {
    let name = metric.rawValue
    let phrase =
      Formatting.ratio(gain.ratio) == "1.00"
      ? "the same \(name) (1.00×)"
      : gain.ratio > 1
        ? "up to \(Formatting.ratio(gain.ratio))× lower \(name)"
        : "at best \(Formatting.ratio(1 / gain.ratio))× higher \(name)"
    let label = metric == searchedMetric ? "" : ", \(name) of \(searchedMetric.rawValue)-optimised searches"
    return "**\(phrase)** (\(gainContext(gain, twin: twin))\(label))"
  }

  /// "λ=3 against dws, −0.27 accuracy points", and "; λ=3 has the mapping of all-dwe, a hand-made
  /// baseline" when `twin` names the baseline whose mapping the searched point has: then the
  /// gain is that hand-made mapping's as much as the search's.
  static func gainContext(_ gain: IsoAccuracyGain, twin: String?) -> String {
    let accuracy = String(format: "%+.2f", gain.accuracyDelta * 100)
    let context = "\(gain.searched) against \(gain.baseline), \(accuracy) accuracy points"
    guard let twin else { return context }
    return context + "; \(gain.searched) has the mapping of \(twin), a hand-made baseline"
  }

  /// The hand-made baseline whose mapping every run of searched point `name` has (nil when
  /// there is none, or its seeds' mappings differ).
  static func handMadeTwin(of name: String, points: [RunFile], baselines: [RunFile]) -> String? {
    let twins = Set(points.filter { $0.name == name }.map { sameMapping($0, as: baselines) })
    guard twins.count == 1, let twin = twins.first, twin != "–" else { return nil }
    return twin
  }

  /// The baseline whose mapping `run` has exactly, if any ("–" otherwise).
  static func sameMapping(_ run: RunFile, as baselines: [RunFile]) -> String {
    baselines.first {
      $0.mapping.layers == run.mapping.layers && $0.mapping.replacesBlocks == run.mapping.replacesBlocks
    }?
    .name ?? "–"
  }

  /// The runs that diverged, named with where (nothing when none did).
  static func divergedSection(_ runs: [DivergedRun], folder: String) -> [String] {
    guard !runs.isEmpty else { return [] }
    return [
      "## Diverged runs",
      "",
      "These runs stopped at a non-finite loss; they have no accuracy or cost, and the fronts, gains and headline "
        + "leave them out.",
      "",
      MarkdownTable(
        header: divergedHeader,
        rows: runs.map { ["\($0.name)", "\($0.seed)", $0.detail, "`\(relativePath($0.path, from: folder))`"] }
      ).markdown(numeric: [1]),
      "",
    ]
  }

  static let divergedHeader = ["Diverged run", "Seed", "Where", "Run"]

  static let gainsHeader = [
    ReportSchema.gains, "Metric", "Dominated by", "Baseline accuracy (%)", "Baseline cost", "Searched point",
    "Searched accuracy (%)", "Searched cost", "Gain (×)", "Searchable-layer gain (×)",
  ]

  /// The gains table's rows of `metric`: every baseline (by its mean over seeds) against the
  /// cheapest searched point within ε of its accuracy. The audit regenerates them.
  static func gainRows(_ groups: [SeedGroup], _ metric: CostMetric, front: ParetoFront) -> [[String]] {
    let gains = Dictionary(uniqueKeysWithValues: front.gains.map { ($0.baseline, $0) })
    let dominated = front.dominatingBaseline
    return groups.filter { $0.kind == .baseline }.map { baseline in
      let first = [
        baseline.name, metric.rawValue, dominated[baseline.name] ?? "–", Formatting.accuracy(baseline.accuracy),
        format(baseline.cost(metric), metric),
      ]
      guard let gain = gains[baseline.name], let searched = groups.first(where: { $0.name == gain.searched }) else {
        return first + ["none as accurate", "–", "–", "–", "–"]
      }
      let searchable = metric == .latency ? SeedGroup.searchableRatio(baseline, searched).map(Formatting.ratio) : nil
      return first + [
        searched.name, Formatting.accuracy(searched.accuracy), format(searched.cost(metric), metric),
        Formatting.ratio(gain.ratio), searchable ?? "–",
      ]
    }
  }

  /// For every baseline and metric, the cheapest searched point within ε of its accuracy.
  static func gainsSection(_ experiment: Experiment) -> [String] {
    guard !experiment.baselines.isEmpty, !experiment.points.isEmpty else { return [] }
    var rows: [[String]] = []
    let groups = experiment.groups
    for metric in experiment.metrics {
      rows += gainRows(groups, metric, front: experiment.front(metric))
    }
    return [
      "## Gains at iso-accuracy",
      "",
      "For each baseline, the cheapest searched point whose accuracy is at least the baseline's"
        + (experiment.epsilon == 0 ? "" : " minus ε = \(Formatting.accuracy(experiment.epsilon)) points")
        + "; gain = baseline cost / searched cost (above 1: the search is cheaper). Costs in cycles (latency) or µJ "
        + "(energy); the searchable-layer gain is the latency gain over the layers the search maps alone, the "
        + "figure the ODiMO paper quotes. A baseline dominated by another one (more accurate and cheaper, or as accurate and cheaper) is "
        + "named in its row and left out of the headline: a gain against it says less than one against the baseline "
        + "that dominates it."
        + (experiment.metrics.count > 1
          ? " The searches optimised \(experiment.configuration.metric.rawValue); the other metric's gains are "
            + "by-products." : ""),
      "",
      MarkdownTable(header: gainsHeader, rows: rows).markdown(numeric: [3, 4, 6, 7, 8, 9]),
      "",
    ]
  }
}
