/// An opaque sRGB colour.
package struct Color: Sendable, Equatable, Hashable {
  package var red: UInt8
  package var green: UInt8
  package var blue: UInt8

  package init(_ red: UInt8, _ green: UInt8, _ blue: UInt8) {
    self.red = red
    self.green = green
    self.blue = blue
  }

  /// `#rrggbb`.
  package init?(hex: String) {
    let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
    guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return nil }
    self.init(UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
  }

  package static let white = Color(255, 255, 255)
  package static let black = Color(0, 0, 0)
  /// Text and axis lines.
  package static let ink = Color(34, 34, 34)
  /// Grid lines.
  package static let grid = Color(226, 226, 226)
  package static let gray = Color(120, 120, 120)

  /// Okabe & Ito's palette, distinguishable under the common colour-vision deficiencies.
  package static let palette: [Color] = [
    Color(0, 114, 178), Color(230, 159, 0), Color(0, 158, 115), Color(213, 94, 0), Color(204, 121, 167),
    Color(86, 180, 233), Color(240, 228, 66), Color(0, 0, 0),
  ]

  /// The palette's `index`-th colour (cycling).
  package static func series(_ index: Int) -> Color {
    palette[((index % palette.count) + palette.count) % palette.count]
  }
}
