import CPNG
import Foundation
import Support

extension Canvas {
  /// The image as PNG bytes (8-bit RGB, libpng's simplified API; no timestamps, so equal
  /// pixels give equal bytes).
  package func pngData() throws -> Data {
    var image = png_image()
    image.version = odimo_png_image_version()
    image.width = png_uint_32(width)
    image.height = png_uint_32(height)
    image.format = odimo_png_format_rgb()
    var size: png_alloc_size_t = 0
    let stride = Int32(width * 3)
    guard png_image_write_to_memory(&image, nil, &size, 0, pixels, stride, nil) != 0, size > 0 else {
      throw PlotError("libpng could not size the PNG: \(message(image))")
    }
    var data = Data(count: Int(size))
    let written = data.withUnsafeMutableBytes { buffer in
      png_image_write_to_memory(&image, buffer.baseAddress, &size, 0, pixels, stride, nil)
    }
    guard written != 0 else { throw PlotError("libpng could not encode the PNG: \(message(image))") }
    return data.prefix(Int(size))
  }

  /// Writes the PNG atomically (temporary file, then rename).
  package func writePNG(to path: String) throws {
    try SafeWrite.write(try pngData(), to: path)
  }

  private func message(_ image: png_image) -> String {
    withUnsafeBytes(of: image.message) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
  }
}
