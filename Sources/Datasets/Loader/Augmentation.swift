import Foundation
import Support

/// Random training-time transformations, applied per image in the loader.
package struct Augmentation: Sendable, Equatable {
  /// Pad each side with this many black pixels, then crop back to the original size at a
  /// random offset (0 = no crop). CIFAR's standard is 4.
  package var cropPadding: Int
  /// Mirror left–right with probability ½.
  package var horizontalFlip: Bool
  /// Rotate by a uniform angle in ±this many degrees (0 = off), bilinear, black fill.
  package var maxRotationDegrees: Double
  /// Translate by a uniform shift in ±this fraction of the size on each axis (0 = off).
  package var maxTranslation: Double

  package init(
    cropPadding: Int = 0, horizontalFlip: Bool = false, maxRotationDegrees: Double = 0, maxTranslation: Double = 0
  ) {
    self.cropPadding = cropPadding
    self.horizontalFlip = horizontalFlip
    self.maxRotationDegrees = maxRotationDegrees
    self.maxTranslation = maxTranslation
  }

  /// No augmentation (evaluation).
  package static let none = Augmentation()
  /// Random crop 32 with padding 4 and horizontal flip (the ODiMO reference's CIFAR recipe).
  package static let cropAndFlip = Augmentation(cropPadding: 4, horizontalFlip: true)

  var isIdentity: Bool { cropPadding == 0 && !horizontalFlip && maxRotationDegrees == 0 && maxTranslation == 0 }
  var usesAffine: Bool { maxRotationDegrees != 0 || maxTranslation != 0 }
}

/// The random choices for one image, drawn in a fixed order so a seed fixes them all.
struct AugmentationDraw {
  var offsetY = 0
  var offsetX = 0
  var flip = false
  var angle = 0.0
  var shiftX = 0.0
  var shiftY = 0.0

  init() {}

  init(_ augmentation: Augmentation, width: Int, height: Int, using generator: inout SplitMix64) {
    if augmentation.cropPadding > 0 {
      let range = UInt64(2 * augmentation.cropPadding + 1)
      offsetY = Int(generator.next() % range)
      offsetX = Int(generator.next() % range)
    } else {
      offsetY = 0
      offsetX = 0
    }
    if augmentation.horizontalFlip { flip = generator.next() & 1 == 1 }
    if augmentation.maxRotationDegrees != 0 {
      angle = (generator.nextUnit() * 2 - 1) * augmentation.maxRotationDegrees * .pi / 180
    }
    if augmentation.maxTranslation != 0 {
      shiftX = (generator.nextUnit() * 2 - 1) * augmentation.maxTranslation * Double(width)
      shiftY = (generator.nextUnit() * 2 - 1) * augmentation.maxTranslation * Double(height)
    }
  }
}

/// Writes one normalised, augmented image into a batch buffer.
struct ImageWriter {
  let height: Int
  let width: Int
  let channels: Int
  let layout: TensorLayout
  /// lookup[c * 256 + v] = (v / 255 − mean[c]) / std[c]
  let lookup: [Float]
  let padding: Int

  init(height: Int, width: Int, channels: Int, layout: TensorLayout, mean: [Double], std: [Double], padding: Int) {
    self.height = height
    self.width = width
    self.channels = channels
    self.layout = layout
    self.padding = padding
    var lookup = [Float](repeating: 0, count: channels * 256)
    for channel in 0..<channels {
      for value in 0..<256 {
        lookup[channel * 256 + value] = Float((Double(value) / 255 - mean[channel]) / std[channel])
      }
    }
    self.lookup = lookup
  }

  /// Output element offset of (channel, y, x) within one image.
  @inline(__always) func offset(_ channel: Int, _ y: Int, _ x: Int) -> Int {
    layout == .nchw ? (channel * height + y) * width + x : (y * width + x) * channels + channel
  }

  /// Crop (from the padded image), flip and normalise: output(y, x) is source pixel
  /// (y + offsetY − pad, x' + offsetX − pad), x' = W − 1 − x when flipped; outside is black.
  func write(_ source: UnsafePointer<UInt8>, draw: AugmentationDraw, to output: UnsafeMutablePointer<Float>) {
    lookup.withUnsafeBufferPointer { table in
      for y in 0..<height {
        let sourceY = y + draw.offsetY - padding
        let rowInside = sourceY >= 0 && sourceY < height
        for x in 0..<width {
          let column = draw.flip ? width - 1 - x : x
          let sourceX = column + draw.offsetX - padding
          let inside = rowInside && sourceX >= 0 && sourceX < width
          let base = (sourceY * width + sourceX) * channels
          for channel in 0..<channels {
            let value = inside ? Int(source[base + channel]) : 0
            output[offset(channel, y, x)] = table[channel * 256 + value]
          }
        }
      }
    }
  }

  /// Rotation about the centre and translation, bilinear, after crop and flip.
  func writeAffine(_ source: UnsafePointer<UInt8>, draw: AugmentationDraw, to output: UnsafeMutablePointer<Float>) {
    let (sine, cosine) = (Foundation.sin(draw.angle), Foundation.cos(draw.angle))
    let centerX = Double(width - 1) / 2
    let centerY = Double(height - 1) / 2
    func pixel(_ y: Int, _ x: Int, _ channel: Int) -> Double {
      // The cropped and flipped image, with black outside.
      let column = draw.flip ? width - 1 - x : x
      let sourceY = y + draw.offsetY - padding
      let sourceX = column + draw.offsetX - padding
      guard y >= 0, y < height, x >= 0, x < width, sourceY >= 0, sourceY < height, sourceX >= 0, sourceX < width
      else { return 0 }
      return Double(source[(sourceY * width + sourceX) * channels + channel])
    }
    for y in 0..<height {
      for x in 0..<width {
        // Inverse map: where in the input does output (x, y) come from?
        let dx = Double(x) - centerX - draw.shiftX
        let dy = Double(y) - centerY - draw.shiftY
        let inputX = cosine * dx + sine * dy + centerX
        let inputY = -sine * dx + cosine * dy + centerY
        let x0 = Int(inputX.rounded(.down))
        let y0 = Int(inputY.rounded(.down))
        let fx = inputX - Double(x0)
        let fy = inputY - Double(y0)
        for channel in 0..<channels {
          let value =
            (1 - fy) * ((1 - fx) * pixel(y0, x0, channel) + fx * pixel(y0, x0 + 1, channel))
            + fy * ((1 - fx) * pixel(y0 + 1, x0, channel) + fx * pixel(y0 + 1, x0 + 1, channel))
          let low = lookup[channel * 256]
          let step = lookup[channel * 256 + 1] - low
          output[offset(channel, y, x)] = low + step * Float(value)
        }
      }
    }
  }
}
