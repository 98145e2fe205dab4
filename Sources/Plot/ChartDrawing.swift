import Foundation

/// Maps data values onto a span of logical units.
struct AxisMap {
  let scale: AxisScale
  let low: Double
  let high: Double
  let start: Double
  let end: Double

  func callAsFunction(_ value: Double) -> Double {
    let t: Double
    switch scale {
    case .linear: t = (value - low) / (high - low)
    case .log: t = (log10(value) - log10(low)) / (log10(high) - log10(low))
    }
    return start + t * (end - start)
  }
}

extension Axis {
  /// Ticks and the range the axis spans for `values` (plus fixed limits if set).
  func layout(_ values: [Double], target: Int) -> (ticks: [Double], range: (Double, Double)) {
    let laid = untrimmedLayout(values, target: target)
    guard integerTicks else { return laid }
    let whole = laid.ticks.filter { $0 == $0.rounded() }
    // Too few whole ticks left (a short range): every whole number in range instead.
    if whole.count >= 2 { return (whole, laid.range) }
    let low = Int(laid.range.0.rounded(.up))
    let high = Int(laid.range.1.rounded(.down))
    return (high >= low ? (low...high).map(Double.init) : whole, laid.range)
  }

  private func untrimmedLayout(_ values: [Double], target: Int) -> (ticks: [Double], range: (Double, Double)) {
    let data = values.filter { $0.isFinite && (scale == .linear || $0 > 0) }
    if let limits {
      let ticks =
        scale == .linear ? Ticks.linear(limits.0, limits.1, target: target).ticks : Ticks.log(limits.0, limits.1).ticks
      return (ticks.filter { $0 >= limits.0 - 1e-9 * abs(limits.0) && $0 <= limits.1 + 1e-9 * abs(limits.1) }, limits)
    }
    let low = data.min() ?? (scale == .log ? 1 : 0)
    let high = data.max() ?? (scale == .log ? 10 : 1)
    switch scale {
    case .linear:
      // A margin keeps points off the axis lines; the range then widens to round ticks.
      let margin = (high - low) * 0.04
      return Ticks.linear(low - margin, high + margin, target: target)
    case .log:
      // Within a few decades, widening to the next 1-2-5 tick can waste most of the plot,
      // so the range is the data's (plus a margin) and the ticks inside it are kept.
      let margin = max(log10(high) - log10(low), 0.1) * 0.06
      let range = (pow(10, log10(low) - margin), pow(10, log10(high) + margin))
      let laid = Ticks.log(range.0, range.1)
      let inside = laid.ticks.filter { $0 >= range.0 && $0 <= range.1 }
      return inside.count >= 2 ? (inside, range) : laid
    }
  }

  func labels(_ ticks: [Double]) -> [String] {
    switch scale {
    case .linear:
      let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
      return ticks.map { Ticks.label($0, step: step) }
    case .log:
      return ticks.map { Ticks.label($0, step: $0) }
    }
  }
}

extension Figure {
  static let titleSize = 14.0
  static let labelSize = 11.5
  static let tickSize = 10.0

  /// Where a chart's data lands: the plot frame and the maps from data to logical units.
  struct PlotArea {
    let plot: Frame
    let mapX: AxisMap
    let mapY: AxisMap
  }

  /// Draws `chart` inside `frame` (logical units).
  package mutating func draw(_ chart: Chart, in frame: Frame) throws {
    try chart.check()
    let xs =
      chart.series.flatMap { $0.points.map(\.x) } + chart.lines.filter { $0.orientation == .vertical }.map(\.value)
    let bars = chart.series.flatMap { $0.errorBars.compactMap { $0 }.flatMap { [$0.low, $0.high] } }
    let ys =
      chart.series.flatMap { $0.points.map(\.y) } + bars
      + chart.lines.filter { $0.orientation == .horizontal }.map(\.value)
    // About one tick per 90 units across and per 45 up.
    let (xTicks, xRange) = chart.x.layout(xs, target: max(3, Int(frame.width / 90)))
    let (yTicks, yRange) = chart.y.layout(ys, target: max(3, Int(frame.height / 60)))
    let yLabels = chart.y.labels(yTicks)
    let yLabelWidth = yLabels.map { textWidth($0, size: Self.tickSize) }.max() ?? 0
    let plot = Frame(
      x: frame.x + 30 + yLabelWidth, y: frame.y + (chart.title.isEmpty ? 12 : 32),
      width: frame.width - 30 - yLabelWidth - 16, height: frame.height - (chart.title.isEmpty ? 12 : 32) - 44)
    let area = PlotArea(
      plot: plot,
      mapX: AxisMap(scale: chart.x.scale, low: xRange.0, high: xRange.1, start: plot.x, end: plot.x + plot.width),
      mapY: AxisMap(scale: chart.y.scale, low: yRange.0, high: yRange.1, start: plot.y + plot.height, end: plot.y))
    if !chart.title.isEmpty {
      text(chart.title, x: frame.x + frame.width / 2, y: frame.y + 20, size: Self.titleSize, anchor: .center)
    }
    axes(chart, area, frame: frame, x: (xTicks, chart.x.labels(xTicks)), y: (yTicks, yLabels))
    referenceLines(chart.lines, area)
    // Filled regions first, so lines and markers stay on top.
    for series in chart.series where series.style == .step { dominatedFill(series, area) }
    for series in chart.series { self.series(series, area) }
    if chart.showLegend {
      legend(
        chart, plot: plot, mapped: chart.series.flatMap { s in s.points.map { (area.mapX($0.x), area.mapY($0.y)) } })
    }
  }

  /// Grid lines, ticks, tick labels, the axis lines and the axis labels.
  private mutating func axes(
    _ chart: Chart, _ area: PlotArea, frame: Frame, x: (ticks: [Double], labels: [String]),
    y: (ticks: [Double], labels: [String])
  ) {
    let plot = area.plot
    // Every tick gets its grid line; a label only where it does not run into the last one.
    var lastLabelEnd = -Double.infinity
    for (tick, label) in zip(x.ticks, x.labels) {
      let position = area.mapX(tick)
      line([(position, plot.y), (position, plot.y + plot.height)], width: 0.6, .grid)
      line([(position, plot.y + plot.height), (position, plot.y + plot.height + 4)], width: 0.8, .ink)
      let half = textWidth(label, size: Self.tickSize) / 2
      if position - half > lastLabelEnd + 6 {
        text(label, x: position, y: plot.y + plot.height + 16, size: Self.tickSize, anchor: .center)
        lastLabelEnd = position + half
      }
    }
    for (tick, label) in zip(y.ticks, y.labels) {
      let position = area.mapY(tick)
      line([(plot.x, position), (plot.x + plot.width, position)], width: 0.6, .grid)
      line([(plot.x - 4, position), (plot.x, position)], width: 0.8, .ink)
      text(label, x: plot.x - 7, y: position + 3.5, size: Self.tickSize, anchor: .right)
    }
    line(
      [(plot.x, plot.y), (plot.x, plot.y + plot.height), (plot.x + plot.width, plot.y + plot.height)], width: 0.9,
      .ink)
    text(chart.x.label, x: plot.x + plot.width / 2, y: plot.y + plot.height + 34, size: Self.labelSize, anchor: .center)
    text(
      chart.y.label, x: frame.x + 15, y: plot.y + plot.height / 2, size: Self.labelSize, anchor: .center,
      vertical: true)
  }

  /// Dashed horizontal and vertical reference lines, labelled unless the legend names them.
  private mutating func referenceLines(_ lines: [ReferenceLine], _ area: PlotArea) {
    let plot = area.plot
    for reference in lines {
      let dash = (4.0, 3.0)
      switch reference.orientation {
      case .horizontal:
        let position = area.mapY(reference.value)
        line([(plot.x, position), (plot.x + plot.width, position)], width: 1.2, reference.color, dash: dash)
        if !reference.inLegend {
          text(
            reference.label, x: plot.x + plot.width - 4, y: position - 4, size: Self.tickSize, reference.color,
            anchor: .right)
        }
      case .vertical:
        let position = area.mapX(reference.value)
        line([(position, plot.y), (position, plot.y + plot.height)], width: 1.0, reference.color, dash: dash)
        if !reference.inLegend {
          text(reference.label, x: position + 4, y: plot.y + 12, size: Self.tickSize, reference.color)
        }
      }
    }
  }

  /// A staircase through `mapped` points (horizontal, then vertical steps).
  private static func stairs(_ mapped: [(Double, Double)]) -> [(Double, Double)] {
    var stairs: [(Double, Double)] = []
    for (index, point) in mapped.enumerated() {
      if index > 0 { stairs.append((point.0, mapped[index - 1].1)) }
      stairs.append(point)
    }
    return stairs
  }

  /// The region a step series (a Pareto front) dominates, filled up to the plot's corner.
  private mutating func dominatedFill(_ series: Series, _ area: PlotArea) {
    guard let fill = series.dominatedFill, let first = series.points.first, let last = series.points.last else {
      return
    }
    let plot = area.plot
    let bottom = plot.y + plot.height
    let right = plot.x + plot.width
    let region =
      Self.stairs(series.points.map { (area.mapX($0.x), area.mapY($0.y)) })
      + [(right, area.mapY(last.y)), (right, bottom), (area.mapX(first.x), bottom)]
    canvas.fillPolygon(region.map { (px($0.0), px($0.1)) }, fill)
  }

  /// One series: its line or staircase, error bars, markers and point labels.
  private mutating func series(_ series: Series, _ area: PlotArea) {
    let mapped = series.points.map { (area.mapX($0.x), area.mapY($0.y)) }
    switch series.style {
    case .line, .lineAndMarkers: line(mapped, width: series.lineWidth, series.color, dash: series.dash)
    case .step: line(Self.stairs(mapped), width: series.lineWidth, series.color, dash: series.dash)
    case .markers: break
    }
    for (point, bar) in zip(series.points, series.errorBars) {
      guard let bar else { continue }
      let x = area.mapX(point.x)
      let (top, bottom) = (area.mapY(bar.high), area.mapY(bar.low))
      line([(x, top), (x, bottom)], width: 1, series.color, dash: nil)
      line([(x - 3, top), (x + 3, top)], width: 1, series.color, dash: nil)
      line([(x - 3, bottom), (x + 3, bottom)], width: 1, series.color, dash: nil)
    }
    if series.style == .markers || series.style == .lineAndMarkers {
      for point in mapped { marker(series.marker, x: point.0, y: point.1, radius: 4, series.color) }
    }
    for (point, label) in zip(mapped, series.pointLabels) where !label.isEmpty {
      text(label, x: point.0 + 7, y: point.1 - 6, size: Self.tickSize - 1, series.color)
    }
  }

  private mutating func legend(_ chart: Chart, plot: Frame, mapped: [(Double, Double)]) {
    var entries: [(label: String, color: Color, marker: Marker?, line: Bool, dash: Bool)] = []
    for series in chart.series where !series.label.isEmpty {
      let marker: Marker? = series.style == .markers || series.style == .lineAndMarkers ? series.marker : nil
      entries.append((series.label, series.color, marker, series.style != .markers, series.dash != nil))
    }
    for reference in chart.lines where reference.inLegend && !reference.label.isEmpty {
      entries.append((reference.label, reference.color, nil, true, true))
    }
    guard !entries.isEmpty else { return }
    let rowHeight = 15.0
    let width = (entries.map { textWidth($0.label, size: Self.tickSize) }.max() ?? 0) + 36
    let height = Double(entries.count) * rowHeight + 8
    // The corner whose box covers the fewest data points.
    let corners = [
      Frame(x: plot.x + plot.width - width - 6, y: plot.y + plot.height - height - 6, width: width, height: height),
      Frame(x: plot.x + plot.width - width - 6, y: plot.y + 6, width: width, height: height),
      Frame(x: plot.x + 6, y: plot.y + plot.height - height - 6, width: width, height: height),
      Frame(x: plot.x + 6, y: plot.y + 6, width: width, height: height),
    ]
    let box =
      corners.min { a, b in covered(a, mapped) < covered(b, mapped) } ?? corners[0]
    rectangle(Frame(x: box.x - 0.8, y: box.y - 0.8, width: box.width + 1.6, height: box.height + 1.6), .grid)
    rectangle(box, .white)
    for (index, entry) in entries.enumerated() {
      let rowY = box.y + 4 + Double(index) * rowHeight + rowHeight / 2
      if entry.line {
        line([(box.x + 6, rowY), (box.x + 26, rowY)], width: 1.6, entry.color, dash: entry.dash ? (4, 3) : nil)
      }
      if let marker = entry.marker { self.marker(marker, x: box.x + 16, y: rowY, radius: 4, entry.color) }
      text(entry.label, x: box.x + 31, y: rowY + 3.5, size: Self.tickSize)
    }
  }

  private func covered(_ frame: Frame, _ points: [(Double, Double)]) -> Int {
    points.filter {
      $0.0 >= frame.x - 5 && $0.0 <= frame.x + frame.width + 5 && $0.1 >= frame.y - 5
        && $0.1 <= frame.y + frame.height + 5
    }.count
  }
}
