import CFreeType
import Foundation

/// A TrueType font rasterized by FreeType into 8-bit coverage masks. Glyphs are cached per
/// (character, pixel size); no hinting state depends on anything but those, so the same
/// text always gives the same pixels.
package final class Font: @unchecked Sendable {
  /// DejaVu Sans from Debian's fonts-dejavu-core (override with ODIMO_FONT).
  package static let defaultPath =
    ProcessInfo.processInfo.environment["ODIMO_FONT"] ?? "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

  struct Glyph {
    let mask: [UInt8]
    let columns: Int
    let left: Int
    let top: Int
    let advance: Int
  }

  private var library: FT_Library?
  private var face: FT_Face?
  private var glyphs: [String: Glyph] = [:]
  private let lock = NSLock()
  package let path: String

  package init(path: String = Font.defaultPath) throws {
    self.path = path
    guard FileManager.default.fileExists(atPath: path) else {
      throw PlotError(
        "font \(path) not found; install Debian's fonts-dejavu-core (scripts/setup.sh does) or set ODIMO_FONT")
    }
    guard FT_Init_FreeType(&library) == 0, let library else { throw PlotError("FreeType failed to initialise") }
    guard FT_New_Face(library, path, 0, &face) == 0, face != nil else {
      throw PlotError("\(path): FreeType cannot read this font file")
    }
  }

  deinit {
    if let face { FT_Done_Face(face) }
    if let library { FT_Done_FreeType(library) }
  }

  private func glyph(_ scalar: Unicode.Scalar, size: Int) -> Glyph {
    let key = "\(scalar.value)@\(size)"
    if let cached = glyphs[key] { return cached }
    var result = Glyph(mask: [], columns: 0, left: 0, top: 0, advance: size / 2)
    if let face, FT_Set_Pixel_Sizes(face, 0, FT_UInt(size)) == 0,
      FT_Load_Char(face, FT_ULong(scalar.value), Int32(odimo_ft_load_render())) == 0, let slot = face.pointee.glyph
    {
      let bitmap = slot.pointee.bitmap
      let columns = Int(bitmap.width)
      let rows = Int(bitmap.rows)
      var mask = [UInt8](repeating: 0, count: columns * rows)
      if let buffer = bitmap.buffer {
        for row in 0..<rows {
          for column in 0..<columns { mask[row * columns + column] = buffer[row * Int(bitmap.pitch) + column] }
        }
      }
      result = Glyph(
        mask: mask, columns: columns, left: Int(slot.pointee.bitmap_left), top: Int(slot.pointee.bitmap_top),
        advance: Int((slot.pointee.advance.x + 32) >> 6))
    }
    glyphs[key] = result
    return result
  }

  /// Width of `text` in pixels at `size` pixels per em.
  package func width(_ text: String, size: Int) -> Int {
    lock.lock()
    defer { lock.unlock() }
    return text.unicodeScalars.reduce(0) { $0 + glyph($1, size: size).advance }
  }

  /// Ascender height (baseline to the top of capitals) at `size`, in pixels.
  package func ascent(size: Int) -> Int { Int((Double(size) * 0.76).rounded()) }

  /// Renders `text` into a coverage mask; returns it with its width and the baseline's row.
  func render(_ text: String, size: Int) -> (mask: [UInt8], columns: Int, baseline: Int) {
    lock.lock()
    defer { lock.unlock() }
    let scalars = Array(text.unicodeScalars)
    let laid = scalars.map { glyph($0, size: size) }
    let columns = max(1, laid.reduce(0) { $0 + $1.advance } + 2)
    let ascent = max(size, laid.map(\.top).max() ?? 0)
    let descent = max(size / 3, laid.map { $0.mask.count / max($0.columns, 1) - $0.top }.max() ?? 0)
    let rows = ascent + descent
    var mask = [UInt8](repeating: 0, count: columns * rows)
    var pen = 0
    for glyph in laid {
      let glyphRows = glyph.columns > 0 ? glyph.mask.count / glyph.columns : 0
      for row in 0..<glyphRows {
        for column in 0..<glyph.columns {
          let x = pen + glyph.left + column
          let y = ascent - glyph.top + row
          guard x >= 0, x < columns, y >= 0, y < rows else { continue }
          let value = glyph.mask[row * glyph.columns + column]
          mask[y * columns + x] = max(mask[y * columns + x], value)
        }
      }
      pen += glyph.advance
    }
    return (mask, columns, ascent)
  }
}

/// Where a text's anchor point sits relative to the text.
package enum TextAnchor: Sendable {
  case left, center, right
}

extension Canvas {
  /// Draws `text` with its baseline at `y` and its `anchor` at `x`; `vertical` turns it a
  /// quarter counter-clockwise (reading bottom to top) around the same anchor, with `x`
  /// then the baseline's column.
  package mutating func drawText(
    _ text: String, x: Double, y: Double, size: Int, font: Font, _ color: Color = .ink,
    anchor: TextAnchor = .left, vertical: Bool = false
  ) {
    guard !text.isEmpty else { return }
    let rendered = font.render(text, size: size)
    let textWidth = font.width(text, size: size)
    let shift: Int =
      switch anchor {
      case .left: 0
      case .center: textWidth / 2
      case .right: textWidth
      }
    if vertical {
      // After the turn the baseline is a column and the text runs upwards from y + shift.
      let left = Int(x.rounded()) - rendered.baseline
      let top = Int(y.rounded()) + shift - rendered.columns
      blendMask(rendered.mask, columns: rendered.columns, x: left, y: top, color, rotated: true)
    } else {
      blendMask(
        rendered.mask, columns: rendered.columns, x: Int(x.rounded()) - shift, y: Int(y.rounded()) - rendered.baseline,
        color)
    }
  }
}
