import Foundation

/// An RGB raster (white background) with anti-aliased drawing in pixel coordinates:
/// (0, 0) is the top-left corner of the top-left pixel, pixel centres sit at +0.5.
/// Every primitive computes a coverage in [0, 1] per pixel and blends its colour by it,
/// so the same calls always give the same bytes.
package struct Canvas: Sendable {
  package let width: Int
  package let height: Int
  /// RGB, row-major, 3 bytes per pixel.
  package private(set) var pixels: [UInt8]

  package init(width: Int, height: Int, background: Color = .white) {
    self.width = max(1, width)
    self.height = max(1, height)
    pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
    for index in 0..<(self.width * self.height) {
      pixels[index * 3] = background.red
      pixels[index * 3 + 1] = background.green
      pixels[index * 3 + 2] = background.blue
    }
  }

  /// The colour at pixel (x, y).
  package func color(x: Int, y: Int) -> Color {
    let index = (y * width + x) * 3
    return Color(pixels[index], pixels[index + 1], pixels[index + 2])
  }

  /// Blends `color` into pixel (x, y) with weight `coverage` (clamped to [0, 1]).
  package mutating func blend(x: Int, y: Int, _ color: Color, coverage: Double) {
    guard x >= 0, y >= 0, x < width, y < height, coverage > 0 else { return }
    let a = min(1, coverage)
    let index = (y * width + x) * 3
    func mix(_ old: UInt8, _ new: UInt8) -> UInt8 { UInt8((Double(old) * (1 - a) + Double(new) * a).rounded()) }
    pixels[index] = mix(pixels[index], color.red)
    pixels[index + 1] = mix(pixels[index + 1], color.green)
    pixels[index + 2] = mix(pixels[index + 2], color.blue)
  }

  /// Fills an axis-aligned rectangle with exact fractional coverage at its edges.
  package mutating func fillRectangle(x0: Double, y0: Double, x1: Double, y1: Double, _ color: Color) {
    let (left, right) = (min(x0, x1), max(x0, x1))
    let (top, bottom) = (min(y0, y1), max(y0, y1))
    guard right > left, bottom > top else { return }
    for y in max(0, Int(top.rounded(.down)))..<min(height, Int(bottom.rounded(.up))) {
      let vertical = min(bottom, Double(y + 1)) - max(top, Double(y))
      for x in max(0, Int(left.rounded(.down)))..<min(width, Int(right.rounded(.up))) {
        let horizontal = min(right, Double(x + 1)) - max(left, Double(x))
        blend(x: x, y: y, color, coverage: vertical * horizontal)
      }
    }
  }

  /// The "on" stretches of a dashed polyline, walking its length (the pattern continues
  /// across vertices).
  static func dashes(_ points: [(Double, Double)], on: Double, off: Double) -> [((Double, Double), (Double, Double))] {
    var segments: [((Double, Double), (Double, Double))] = []
    var position = 0.0
    let period = on + off
    for (a, b) in zip(points, points.dropFirst()) {
      let length = hypot(b.0 - a.0, b.1 - a.1)
      var travelled = 0.0
      while travelled < length {
        let phase = position.truncatingRemainder(dividingBy: period)
        let isOn = phase < on
        let step = min(length - travelled, isOn ? on - phase : period - phase)
        if isOn {
          let t0 = travelled / length
          let t1 = (travelled + step) / length
          segments.append(
            ((a.0 + (b.0 - a.0) * t0, a.1 + (b.1 - a.1) * t0), (a.0 + (b.0 - a.0) * t1, a.1 + (b.1 - a.1) * t1)))
        }
        travelled += step
        position += step
      }
    }
    return segments
  }

  /// A polyline of `lineWidth` pixels with round joins and caps; `dash` (on, off lengths
  /// in pixels) breaks it into dashes along its length.
  package mutating func strokePolyline(
    _ points: [(Double, Double)], lineWidth: Double, _ color: Color, dash: (Double, Double)? = nil
  ) {
    guard points.count >= 2 else { return }
    let segments: [((Double, Double), (Double, Double))]
    if let dash, dash.0 > 0, dash.1 > 0 {
      segments = Self.dashes(points, on: dash.0, off: dash.1)
    } else {
      segments = Array(zip(points, points.dropFirst()))
    }
    let radius = lineWidth / 2
    // One coverage buffer over the bounding box (maximum over segments), so joints and
    // overlaps are not blended twice.
    let xs = points.map(\.0)
    let ys = points.map(\.1)
    let left = max(0, Int(((xs.min() ?? 0) - radius - 1).rounded(.down)))
    let right = min(width - 1, Int(((xs.max() ?? 0) + radius + 1).rounded(.up)))
    let top = max(0, Int(((ys.min() ?? 0) - radius - 1).rounded(.down)))
    let bottom = min(height - 1, Int(((ys.max() ?? 0) + radius + 1).rounded(.up)))
    guard right >= left, bottom >= top else { return }
    let boxWidth = right - left + 1
    var coverage = [Double](repeating: 0, count: boxWidth * (bottom - top + 1))
    for (a, b) in segments {
      let x0 = max(left, Int((min(a.0, b.0) - radius - 1).rounded(.down)))
      let x1 = min(right, Int((max(a.0, b.0) + radius + 1).rounded(.up)))
      let y0 = max(top, Int((min(a.1, b.1) - radius - 1).rounded(.down)))
      let y1 = min(bottom, Int((max(a.1, b.1) + radius + 1).rounded(.up)))
      guard x1 >= x0, y1 >= y0 else { continue }
      let dx = b.0 - a.0
      let dy = b.1 - a.1
      let lengthSquared = dx * dx + dy * dy
      for y in y0...y1 {
        let py = Double(y) + 0.5
        for x in x0...x1 {
          let px = Double(x) + 0.5
          let t = lengthSquared > 0 ? max(0, min(1, ((px - a.0) * dx + (py - a.1) * dy) / lengthSquared)) : 0
          let distance = hypot(px - (a.0 + t * dx), py - (a.1 + t * dy))
          // Thin lines keep their weight: coverage is capped by the line width itself.
          let value = max(0, min(1, radius + 0.5 - distance, lineWidth))
          let slot = (y - top) * boxWidth + (x - left)
          if value > coverage[slot] { coverage[slot] = value }
        }
      }
    }
    for y in top...bottom {
      for x in left...right { blend(x: x, y: y, color, coverage: coverage[(y - top) * boxWidth + (x - left)]) }
    }
  }

  /// A filled disc.
  package mutating func fillCircle(x cx: Double, y cy: Double, radius: Double, _ color: Color) {
    for y in max(0, Int(cy - radius - 1))...min(height - 1, Int(cy + radius + 1)) {
      for x in max(0, Int(cx - radius - 1))...min(width - 1, Int(cx + radius + 1)) {
        let distance = hypot(Double(x) + 0.5 - cx, Double(y) + 0.5 - cy)
        blend(x: x, y: y, color, coverage: radius + 0.5 - distance)
      }
    }
  }

  /// A filled polygon (non-zero winding), anti-aliased: 4 sub-scanlines per pixel row,
  /// each contributing its spans with exact fractional coverage along x.
  package mutating func fillPolygon(_ points: [(Double, Double)], _ color: Color) {
    guard points.count >= 3 else { return }
    let ys = points.map(\.1)
    let xs = points.map(\.0)
    let top = max(0, Int((ys.min() ?? 0).rounded(.down)))
    let bottom = min(height - 1, Int((ys.max() ?? 0).rounded(.up)))
    let left = max(0, Int((xs.min() ?? 0).rounded(.down)))
    let right = min(width - 1, Int((xs.max() ?? 0).rounded(.up)))
    guard bottom >= top, right >= left else { return }
    let edges = Array(zip(points, points.dropFirst() + [points[0]]))
    var row = [Double](repeating: 0, count: right - left + 2)
    for y in top...bottom {
      for index in row.indices { row[index] = 0 }
      for sub in 0..<4 {
        let py = Double(y) + (Double(sub) + 0.5) / 4
        // Crossings of this sub-scanline with their winding direction.
        var crossings: [(x: Double, direction: Int)] = []
        for (a, b) in edges where (a.1 <= py) != (b.1 <= py) {
          let x = a.0 + (py - a.1) / (b.1 - a.1) * (b.0 - a.0)
          crossings.append((x, b.1 > a.1 ? 1 : -1))
        }
        crossings.sort { $0.x < $1.x }
        var winding = 0
        for (index, crossing) in crossings.enumerated() {
          winding += crossing.direction
          guard winding != 0, index + 1 < crossings.count else { continue }
          // The span [crossing.x, next.x) is inside: add its coverage per pixel column.
          let start = max(Double(left), crossing.x)
          let end = min(Double(right + 1), crossings[index + 1].x)
          guard end > start else { continue }
          var column = Int(start.rounded(.down))
          while Double(column) < end {
            let covered = min(end, Double(column + 1)) - max(start, Double(column))
            row[column - left] += covered / 4
            column += 1
          }
        }
      }
      for x in left...right { blend(x: x, y: y, color, coverage: row[x - left]) }
    }
  }

  /// Composites an 8-bit coverage bitmap (`columns` wide, row-major) with its top-left at
  /// (x, y), optionally turned a quarter counter-clockwise (vertical text).
  package mutating func blendMask(
    _ mask: [UInt8], columns: Int, x: Int, y: Int, _ color: Color, rotated: Bool = false
  ) {
    guard columns > 0 else { return }
    let rows = mask.count / columns
    for row in 0..<rows {
      for column in 0..<columns {
        let value = mask[row * columns + column]
        guard value > 0 else { continue }
        // A quarter turn counter-clockwise: (column, row) → (row, columns − 1 − column).
        let (px, py) = rotated ? (x + row, y + columns - 1 - column) : (x + column, y + row)
        blend(x: px, y: py, color, coverage: Double(value) / 255)
      }
    }
  }
}
