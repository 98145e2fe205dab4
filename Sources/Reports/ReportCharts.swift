import Foundation
import Hardware
import Plot
import Search

/// The report's figures, built from an experiment.
enum ReportCharts {
  static let markers: [Marker] = [.square, .diamond, .triangleUp, .triangleDown, .pentagon]

  static func metricLabel(_ metric: CostMetric) -> String {
    metric == .latency ? "Latency (cycles)" : "Energy (µJ)"
  }

  /// Accuracy against cost: searched points (labelled by λ), the Pareto front as a
  /// staircase, each baseline with its own marker and colour, the float reference as a line.
  /// Points run with several seeds sit at their means, with the 95 % t-interval of the mean
  /// accuracy as an error bar.
  static func pareto(_ experiment: Experiment, metric: CostMetric) -> Chart {
    let front = experiment.front(metric).front
    let groups = experiment.groups
    let costs = groups.map { $0.cost(metric) }
    let spread = (costs.max() ?? 1) / max(costs.min() ?? 1, 1e-12)
    func place(_ group: SeedGroup) -> (x: Double, y: Double) { (group.cost(metric), group.accuracy * 100) }
    func bar(_ group: SeedGroup) -> (low: Double, high: Double)? {
      AccuracyStatistics.overSeeds(group.members.map(\.accuracy)).interval.map { ($0.low * 100, $0.high * 100) }
    }
    let searched = groups.filter { $0.kind == .searched }
    var series: [Series] = [
      Series(
        "Pareto front", points: front.map { ($0.cost, $0.accuracy * 100) }, color: .gray, style: .step,
        lineWidth: 1.2, dominatedFill: Color(228, 234, 243)),
      Series(
        "ODiMO (searched)", points: searched.map(place), color: .series(0), style: .markers, marker: .circle,
        pointLabels: searched.map(\.name)),
    ]
    series[1].errorBars = searched.map(bar)
    for (index, baseline) in groups.filter({ $0.kind == .baseline }).enumerated() {
      var one = Series(
        baseline.name, points: [place(baseline)], color: .series(index + 1), style: .markers,
        marker: markers[index % markers.count])
      one.errorBars = [bar(baseline)]
      series.append(one)
    }
    let configuration = experiment.configuration
    return Chart(
      title: "\(configuration.model) on \(configuration.soc): accuracy vs \(metric.rawValue)",
      x: Axis(metricLabel(metric), scale: spread > 8 ? .log : .linear), y: Axis("Test accuracy (%)"),
      series: series,
      lines: experiment.reference.map {
        [ReferenceLine(.horizontal, at: $0.testAccuracy * 100, label: "float reference", color: .gray)]
      } ?? [])
  }

  /// Output channels per unit for every layer of a run's mapping.
  static func mapping(_ run: RunFile) -> StackedBarChart {
    let mapping = run.mapping
    return StackedBarChart(
      title: "Channels per unit: \(run.name)", valueLabel: "Output channels",
      categories: mapping.layers.map(\.name),
      stacks: mapping.units.enumerated().map { ($0.element, Color.series($0.offset)) },
      values: mapping.layers.map { layer in mapping.units.indices.map { Double(layer.channels(ofUnit: $0)) } })
  }

  /// Loss, accuracy and the discrete mapping's cost per epoch, phase starts marked: its
  /// energy (µJ) when the run searched energy and every row has one, else its latency
  /// (cycles), so the curve shows what λ weighed. `warmup` holds the shared warmup's rows
  /// of a sweep point (its run file starts after them).
  static func training(_ run: RunFile, warmup: [TraceRow] = []) -> [Chart] {
    let trace = warmup + run.trace
    let epochs = trace.indices.map { Double($0 + 1) }
    var boundaries: [ReferenceLine] = []
    for (index, row) in trace.enumerated() where index == 0 || trace[index - 1].phase != row.phase {
      let name =
        switch row.phase {
        case .warmup: "warmup"
        case .search: "search"
        case .fineTune: "fine-tune"
        }
      boundaries.append(ReferenceLine(.vertical, at: Double(index) + 0.5, label: name, color: .gray, inLegend: false))
    }
    let axis = Axis("Epoch", limits: (0.5, Double(max(trace.count, 1)) + 0.5), integerTicks: true)
    let energies = trace.compactMap(\.energyMicrojoules)
    let (costLabel, costs) =
      run.configuration.metric == .energy && energies.count == trace.count
      ? ("Energy (µJ)", energies) : ("Latency (cycles)", trace.map(\.latencyCycles))
    return [
      Chart(
        title: "Training: \(run.name)", x: axis, y: Axis("Loss"),
        series: [
          Series("train", points: zip(epochs, trace.map(\.trainLoss)).map { ($0, $1) }, color: .series(0)),
          Series(
            "validation", points: zip(epochs, trace.map(\.validationLoss)).map { ($0, $1) }, color: .series(1),
            marker: .square),
        ], lines: boundaries),
      Chart(
        title: "", x: axis, y: Axis("Accuracy (%)"),
        series: [
          Series(
            "train", points: zip(epochs, trace.map { $0.trainAccuracy * 100 }).map { ($0, $1) }, color: .series(0)),
          Series(
            "validation", points: zip(epochs, trace.map { $0.validationAccuracy * 100 }).map { ($0, $1) },
            color: .series(1), marker: .square),
        ], lines: boundaries),
      Chart(
        title: "", x: axis, y: Axis(costLabel),
        series: [
          Series("discrete mapping", points: zip(epochs, costs).map { ($0, $1) }, color: .series(2), marker: .diamond)
        ], lines: boundaries),
    ]
  }
}
