import Foundation

/// A rectangle in logical units (before the figure's pixel scale).
package struct Frame: Sendable, Equatable {
  package var x: Double
  package var y: Double
  package var width: Double
  package var height: Double

  package init(x: Double, y: Double, width: Double, height: Double) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }
}

/// Marker shapes for scatter points, distinct in outline as well as colour.
package enum Marker: Sendable, Equatable, CaseIterable {
  case circle, square, diamond, triangleUp, triangleDown, pentagon
}

/// One data axis.
package struct Axis: Sendable {
  package var label: String
  package var scale: AxisScale
  /// Fixed limits; nil fits the data (with round ticks).
  package var limits: (Double, Double)?
  /// Ticks only at whole numbers (epochs, counts).
  package var integerTicks: Bool

  package init(_ label: String, scale: AxisScale = .linear, limits: (Double, Double)? = nil, integerTicks: Bool = false)
  {
    self.label = label
    self.scale = scale
    self.limits = limits
    self.integerTicks = integerTicks
  }
}

/// A named set of (x, y) points drawn as a line, a staircase, markers or both.
package struct Series: Sendable {
  package enum Style: Sendable, Equatable {
    case line
    /// A staircase: horizontal to the next x, then vertical (Pareto fronts).
    case step
    case markers
    case lineAndMarkers
  }

  package var label: String
  package var points: [(x: Double, y: Double)]
  package var color: Color
  package var style: Style
  package var marker: Marker
  package var lineWidth: Double
  package var dash: (Double, Double)?
  /// Text drawn beside each point (same order as `points`); empty for none.
  package var pointLabels: [String]
  /// For `.step` series: tints the region the staircase dominates (right of and below it,
  /// to the plot's edges) — for a Pareto front, everything it beats.
  package var dominatedFill: Color?
  /// Vertical error bars (y from low to high) per point, same order as `points`; nil entries
  /// (or an empty array) draw none.
  package var errorBars: [(low: Double, high: Double)?] = []

  package init(
    _ label: String, points: [(x: Double, y: Double)], color: Color, style: Style = .lineAndMarkers,
    marker: Marker = .circle, lineWidth: Double = 1.6, dash: (Double, Double)? = nil, pointLabels: [String] = [],
    dominatedFill: Color? = nil
  ) {
    self.label = label
    self.points = points
    self.color = color
    self.style = style
    self.marker = marker
    self.lineWidth = lineWidth
    self.dash = dash
    self.pointLabels = pointLabels
    self.dominatedFill = dominatedFill
  }
}

/// A horizontal or vertical reference line across the plot area, with an optional label.
package struct ReferenceLine: Sendable {
  package enum Orientation: Sendable { case horizontal, vertical }
  package var orientation: Orientation
  package var value: Double
  package var label: String
  package var color: Color
  /// Listed in the legend (true) or labelled on the line itself (false).
  package var inLegend: Bool

  package init(_ orientation: Orientation, at value: Double, label: String, color: Color = .gray, inLegend: Bool = true)
  {
    self.orientation = orientation
    self.value = value
    self.label = label
    self.color = color
    self.inLegend = inLegend
  }
}

/// An x–y chart: axes with round ticks and a grid, series, reference lines, a legend
/// placed in the plot corner that hides the fewest points, and a title.
package struct Chart: Sendable {
  package var title: String
  package var x: Axis
  package var y: Axis
  package var series: [Series]
  package var lines: [ReferenceLine]
  package var showLegend: Bool

  package init(
    title: String, x: Axis, y: Axis, series: [Series] = [], lines: [ReferenceLine] = [], showLegend: Bool = true
  ) {
    self.title = title
    self.x = x
    self.y = y
    self.series = series
    self.lines = lines
    self.showLegend = showLegend
  }

  /// Validates the data: finite values, and positive ones on log axes.
  package func check() throws {
    for series in series {
      for bar in series.errorBars.compactMap({ $0 }) where !(bar.low.isFinite && bar.high.isFinite) {
        throw PlotError("series '\(series.label)' has a non-finite error bar (\(bar.low), \(bar.high))")
      }
      for point in series.points {
        guard point.x.isFinite, point.y.isFinite else {
          throw PlotError("series '\(series.label)' has a non-finite point (\(point.x), \(point.y))")
        }
        if x.scale == .log, point.x <= 0 {
          throw PlotError("series '\(series.label)': x = \(point.x) cannot go on the logarithmic axis '\(x.label)'")
        }
        if y.scale == .log, point.y <= 0 {
          throw PlotError("series '\(series.label)': y = \(point.y) cannot go on the logarithmic axis '\(y.label)'")
        }
      }
    }
  }

  /// Renders alone on a canvas of `width` × `height` logical units at `scale` pixels per unit.
  package func render(width: Double = 640, height: Double = 420, scale: Double = 2, font: Font) throws -> Canvas {
    var figure = Figure(width: width, height: height, scale: scale, font: font)
    try figure.draw(self, in: Frame(x: 0, y: 0, width: width, height: height))
    return figure.canvas
  }
}

/// A canvas in logical units that charts are drawn into (several charts make panels).
package struct Figure: Sendable {
  package internal(set) var canvas: Canvas
  package let scale: Double
  let font: Font

  package init(width: Double, height: Double, scale: Double = 2, font: Font) {
    self.scale = scale
    self.font = font
    canvas = Canvas(width: Int((width * scale).rounded()), height: Int((height * scale).rounded()))
  }

  func px(_ value: Double) -> Double { value * scale }
  func size(_ points: Double) -> Int { Int((points * scale).rounded()) }

  /// Text in logical units.
  package mutating func text(
    _ string: String, x: Double, y: Double, size points: Double, _ color: Color = .ink, anchor: TextAnchor = .left,
    vertical: Bool = false
  ) {
    canvas.drawText(
      string, x: px(x), y: px(y), size: size(points), font: font, color, anchor: anchor, vertical: vertical)
  }

  /// Width of `string` in logical units.
  func textWidth(_ string: String, size points: Double) -> Double {
    Double(font.width(string, size: size(points))) / scale
  }

  mutating func marker(_ shape: Marker, x: Double, y: Double, radius: Double, _ color: Color) {
    // A white halo keeps overlapping markers apart.
    shapeFill(shape, x: x, y: y, radius: radius + 1.1, .white)
    shapeFill(shape, x: x, y: y, radius: radius, color)
  }

  private mutating func shapeFill(_ shape: Marker, x: Double, y: Double, radius r: Double, _ color: Color) {
    let (cx, cy, r) = (px(x), px(y), px(r))
    func regular(_ sides: Int, rotation: Double, radius: Double) -> [(Double, Double)] {
      (0..<sides).map { k in
        let angle = rotation + 2 * Double.pi * Double(k) / Double(sides)
        return (cx + radius * cos(angle), cy + radius * sin(angle))
      }
    }
    switch shape {
    case .circle: canvas.fillCircle(x: cx, y: cy, radius: r, color)
    case .square: canvas.fillPolygon(regular(4, rotation: Double.pi / 4, radius: r * 1.2), color)
    case .diamond: canvas.fillPolygon(regular(4, rotation: 0, radius: r * 1.3), color)
    case .triangleUp: canvas.fillPolygon(regular(3, rotation: -Double.pi / 2, radius: r * 1.35), color)
    case .triangleDown: canvas.fillPolygon(regular(3, rotation: Double.pi / 2, radius: r * 1.35), color)
    case .pentagon: canvas.fillPolygon(regular(5, rotation: -Double.pi / 2, radius: r * 1.2), color)
    }
  }

  mutating func line(_ points: [(Double, Double)], width: Double, _ color: Color, dash: (Double, Double)? = nil) {
    canvas.strokePolyline(
      points.map { (px($0.0), px($0.1)) }, lineWidth: px(width), color, dash: dash.map { (px($0.0), px($0.1)) })
  }

  mutating func rectangle(_ frame: Frame, _ color: Color) {
    canvas.fillRectangle(
      x0: px(frame.x), y0: px(frame.y), x1: px(frame.x + frame.width), y1: px(frame.y + frame.height), color)
  }
}
