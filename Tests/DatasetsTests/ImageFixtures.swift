import CJPEG
import CPNG
import Foundation
import TestSupport

/// Encodes small test images with the same libraries the importer decodes with.
enum ImageFixtures {
  static func rgb(width: Int, height: Int, _ color: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8] {
    var pixels: [UInt8] = []
    for y in 0..<height {
      for x in 0..<width {
        let (r, g, b) = color(x, y)
        pixels += [r, g, b]
      }
    }
    return pixels
  }

  static func jpeg(width: Int, height: Int, quality: Int32 = 100, _ color: (Int, Int) -> (UInt8, UInt8, UInt8)) throws
    -> Data
  {
    let pixels = rgb(width: width, height: height, color)
    let handle = tjInitCompress()
    defer { tjDestroy(handle) }
    var output: UnsafeMutablePointer<UInt8>?
    var size: UInt = 0
    guard
      tjCompress2(
        handle, pixels, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), &output, &size,
        Int32(TJSAMP_444.rawValue), quality, 0)
        == 0, let output
    else { throw ProcessFailure("JPEG encoding failed") }
    defer { tjFree(output) }
    return Data(bytes: output, count: Int(size))
  }

  static func png(width: Int, height: Int, _ color: (Int, Int) -> (UInt8, UInt8, UInt8)) throws -> Data {
    var pixels = rgb(width: width, height: height, color)
    var image = png_image()
    image.version = odimo_png_image_version()
    image.width = UInt32(width)
    image.height = UInt32(height)
    image.format = odimo_png_format_rgb()
    var size = 0
    guard png_image_write_to_memory(&image, nil, &size, 0, &pixels, 0, nil) != 0 else {
      throw ProcessFailure("PNG sizing failed")
    }
    var bytes = [UInt8](repeating: 0, count: size)
    guard png_image_write_to_memory(&image, &bytes, &size, 0, &pixels, 0, nil) != 0 else {
      throw ProcessFailure("PNG encoding failed")
    }
    return Data(bytes.prefix(size))
  }
}
