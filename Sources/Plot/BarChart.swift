import Foundation

/// Horizontal stacked bars: one bar per category (top to bottom), one segment per stack
/// (left to right) — e.g. the output channels each compute unit runs, per layer.
package struct StackedBarChart: Sendable {
  package var title: String
  package var valueLabel: String
  package var categories: [String]
  /// Stack names and colours, in drawing order.
  package var stacks: [(name: String, color: Color)]
  /// values[category][stack] ≥ 0.
  package var values: [[Double]]

  package init(
    title: String, valueLabel: String, categories: [String], stacks: [(name: String, color: Color)],
    values: [[Double]]
  ) {
    self.title = title
    self.valueLabel = valueLabel
    self.categories = categories
    self.stacks = stacks
    self.values = values
  }

  /// Logical height that gives every bar room: 16 units per category plus margins.
  package var naturalHeight: Double { Double(categories.count) * 16 + 110 }

  package func check() throws {
    guard values.count == categories.count else {
      throw PlotError("\(values.count) rows of values for \(categories.count) categories")
    }
    for (category, row) in zip(categories, values) {
      guard row.count == stacks.count else {
        throw PlotError("category '\(category)' has \(row.count) values for \(stacks.count) stacks")
      }
      guard row.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
        throw PlotError("category '\(category)' has a negative or non-finite value: \(row)")
      }
    }
  }

  package func render(width: Double = 640, scale: Double = 2, font: Font) throws -> Canvas {
    var figure = Figure(width: width, height: naturalHeight, scale: scale, font: font)
    try figure.draw(self, in: Frame(x: 0, y: 0, width: width, height: naturalHeight))
    return figure.canvas
  }
}

extension Figure {
  package mutating func draw(_ chart: StackedBarChart, in frame: Frame) throws {
    try chart.check()
    let totals = chart.values.map { $0.reduce(0, +) }
    let (ticks, range) = Ticks.linear(0, max(totals.max() ?? 1, 1e-9))
    let labelWidth = chart.categories.map { textWidth($0, size: Self.tickSize) }.max() ?? 0
    let legendHeight = 22.0
    let plot = Frame(
      x: frame.x + labelWidth + 14, y: frame.y + 34 + legendHeight,
      width: frame.width - labelWidth - 14 - 18, height: frame.height - 34 - legendHeight - 44)
    let mapX = AxisMap(scale: .linear, low: range.0, high: range.1, start: plot.x, end: plot.x + plot.width)
    text(chart.title, x: frame.x + frame.width / 2, y: frame.y + 20, size: Self.titleSize, anchor: .center)
    // Legend in one row under the title.
    var legendX = plot.x
    for stack in chart.stacks {
      rectangle(Frame(x: legendX, y: frame.y + 36, width: 10, height: 10), stack.color)
      text(stack.name, x: legendX + 14, y: frame.y + 45, size: Self.tickSize)
      legendX += 14 + textWidth(stack.name, size: Self.tickSize) + 18
    }
    let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
    for tick in ticks {
      let position = mapX(tick)
      line([(position, plot.y), (position, plot.y + plot.height)], width: 0.6, .grid)
      text(
        Ticks.label(tick, step: step), x: position, y: plot.y + plot.height + 16, size: Self.tickSize,
        anchor: .center)
    }
    let rowHeight = plot.height / Double(max(chart.categories.count, 1))
    for (index, category) in chart.categories.enumerated() {
      let top = plot.y + Double(index) * rowHeight
      var start = 0.0
      for (stack, value) in zip(chart.stacks, chart.values[index]) where value > 0 {
        let x0 = mapX(start)
        let x1 = mapX(start + value)
        rectangle(Frame(x: x0, y: top + rowHeight * 0.15, width: x1 - x0, height: rowHeight * 0.7), stack.color)
        start += value
      }
      text(category, x: plot.x - 6, y: top + rowHeight / 2 + 3.5, size: Self.tickSize, anchor: .right)
    }
    line([(plot.x, plot.y), (plot.x, plot.y + plot.height)], width: 0.9, .ink)
    text(
      chart.valueLabel, x: plot.x + plot.width / 2, y: plot.y + plot.height + 34, size: Self.labelSize,
      anchor: .center)
  }
}

extension Figure {
  /// Charts stacked top to bottom, sharing the figure's width; each gets `panelHeight`.
  package static func panels(
    _ charts: [Chart], width: Double = 640, panelHeight: Double = 240, scale: Double = 2, font: Font
  ) throws -> Canvas {
    var figure = Figure(width: width, height: panelHeight * Double(charts.count), scale: scale, font: font)
    for (index, chart) in charts.enumerated() {
      try figure.draw(chart, in: Frame(x: 0, y: Double(index) * panelHeight, width: width, height: panelHeight))
    }
    return figure.canvas
  }
}
