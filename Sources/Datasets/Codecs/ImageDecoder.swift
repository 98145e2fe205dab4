import CJPEG
import CPNG
import Foundation

/// An 8-bit RGB image, row-major, 3 bytes per pixel.
struct RGBImage {
  let width: Int
  let height: Int
  var pixels: [UInt8]
}

/// Decodes JPEG (libjpeg-turbo) and PNG (libpng's simplified API) files to RGB.
enum ImageDecoder {
  static func decode(path: String) throws -> RGBImage {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw DatasetError.unreadable(path, "cannot read the image")
    }
    let bytes = [UInt8](data)
    if bytes.starts(with: [0xFF, 0xD8]) { return try decodeJPEG(bytes, path: path) }
    if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try decodePNG(bytes, path: path) }
    throw DatasetError.wrongFormat(path, "neither a JPEG nor a PNG image (unrecognised signature)")
  }

  static func decodeJPEG(_ bytes: [UInt8], path: String) throws -> RGBImage {
    guard let handle = tjInitDecompress() else { throw DatasetError.unreadable(path, "libjpeg-turbo failed to start") }
    defer { tjDestroy(handle) }
    var width: Int32 = 0
    var height: Int32 = 0
    var subsampling: Int32 = 0
    var colorspace: Int32 = 0
    guard tjDecompressHeader3(handle, bytes, UInt(bytes.count), &width, &height, &subsampling, &colorspace) == 0,
      width > 0, height > 0
    else {
      throw DatasetError.corrupt(path, offset: 0, "corrupt JPEG header: \(String(cString: tjGetErrorStr2(handle)))")
    }
    let cmyk = colorspace == TJCS_CMYK.rawValue || colorspace == TJCS_YCCK.rawValue
    let format = cmyk ? TJPF_CMYK : TJPF_RGB
    let channels = cmyk ? 4 : 3
    var decoded = [UInt8](repeating: 0, count: Int(width) * Int(height) * channels)
    let status = tjDecompress2(handle, bytes, UInt(bytes.count), &decoded, width, 0, height, format.rawValue, 0)
    // Warnings (status −1 with TJERR_WARNING) still give a usable image; errors do not.
    if status != 0 && tjGetErrorCode(handle) != TJERR_WARNING.rawValue {
      throw DatasetError.corrupt(path, offset: 0, "corrupt JPEG data: \(String(cString: tjGetErrorStr2(handle)))")
    }
    guard cmyk else { return RGBImage(width: Int(width), height: Int(height), pixels: decoded) }
    // Adobe CMYK JPEGs store inverted ink values: R = C·K/255, and so on.
    var rgb = [UInt8](repeating: 0, count: Int(width) * Int(height) * 3)
    for pixel in 0..<(Int(width) * Int(height)) {
      let k = Int(decoded[4 * pixel + 3])
      for channel in 0..<3 { rgb[3 * pixel + channel] = UInt8(Int(decoded[4 * pixel + channel]) * k / 255) }
    }
    return RGBImage(width: Int(width), height: Int(height), pixels: rgb)
  }

  static func decodePNG(_ bytes: [UInt8], path: String) throws -> RGBImage {
    var image = png_image()
    image.version = odimo_png_image_version()
    guard png_image_begin_read_from_memory(&image, bytes, bytes.count) != 0 else {
      throw DatasetError.corrupt(path, offset: 0, "corrupt PNG: \(message(of: image))")
    }
    image.format = odimo_png_format_rgb()
    var pixels = [UInt8](repeating: 0, count: Int(image.width) * Int(image.height) * 3)
    guard png_image_finish_read(&image, nil, &pixels, 0, nil) != 0 else {
      png_image_free(&image)
      throw DatasetError.corrupt(path, offset: 0, "corrupt PNG data: \(message(of: image))")
    }
    return RGBImage(width: Int(image.width), height: Int(image.height), pixels: pixels)
  }

  private static func message(of image: png_image) -> String {
    withUnsafeBytes(of: image.message) { raw in
      String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
    }
  }
}

/// Anti-aliased resizing: the shorter side to `size`, then the centre `size` × `size`
/// crop, with a separable triangle filter whose support widens with the downscaling
/// factor (so shrinking averages every source pixel instead of skipping most of them).
enum Resampler {
  struct Taps {
    let first: [Int]
    let weights: [[Float]]
  }

  /// Filter taps for `output` samples starting at resized coordinate `offset`, from
  /// `input` samples, with `scale` input pixels per output pixel.
  static func taps(input: Int, output: Int, offset: Int, scale: Double) -> Taps {
    let support = max(1.0, scale)
    var first: [Int] = []
    var weights: [[Float]] = []
    for index in 0..<output {
      let center = (Double(index + offset) + 0.5) * scale - 0.5
      let low = max(0, Int((center - support).rounded(.up)))
      let high = min(input - 1, Int((center + support).rounded(.down)))
      var row: [Float] = []
      var total = 0.0
      for source in low...max(low, high) {
        let weight = max(0, 1 - abs(Double(source) - center) / support)
        row.append(Float(weight))
        total += weight
      }
      if total <= 0 {
        row = [1]
        total = 1
      }
      first.append(low)
      weights.append(row.map { $0 / Float(total) })
    }
    return Taps(first: first, weights: weights)
  }

  static func shorterSideThenCenterCrop(_ image: RGBImage, size: Int) -> [UInt8] {
    let scale = Double(min(image.width, image.height)) / Double(size)  // input pixels per output pixel
    let resizedWidth = max(size, Int((Double(image.width) / scale).rounded()))
    let resizedHeight = max(size, Int((Double(image.height) / scale).rounded()))
    let horizontal = taps(input: image.width, output: size, offset: (resizedWidth - size) / 2, scale: scale)
    let vertical = taps(input: image.height, output: size, offset: (resizedHeight - size) / 2, scale: scale)
    // Rows first: every source row filtered horizontally to `size` columns.
    var rows = [Float](repeating: 0, count: image.height * size * 3)
    for y in 0..<image.height {
      for x in 0..<size {
        var r: Float = 0
        var g: Float = 0
        var b: Float = 0
        for (tap, weight) in horizontal.weights[x].enumerated() {
          let source = (y * image.width + horizontal.first[x] + tap) * 3
          r += weight * Float(image.pixels[source])
          g += weight * Float(image.pixels[source + 1])
          b += weight * Float(image.pixels[source + 2])
        }
        let target = (y * size + x) * 3
        rows[target] = r
        rows[target + 1] = g
        rows[target + 2] = b
      }
    }
    var output = [UInt8](repeating: 0, count: size * size * 3)
    for y in 0..<size {
      for x in 0..<size {
        for channel in 0..<3 {
          var value: Float = 0
          for (tap, weight) in vertical.weights[y].enumerated() {
            value += weight * rows[((vertical.first[y] + tap) * size + x) * 3 + channel]
          }
          output[(y * size + x) * 3 + channel] = UInt8(max(0, min(255, value.rounded())))
        }
      }
    }
    return output
  }
}
