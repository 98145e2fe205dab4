import Support

/// Decoded images of one split held in memory: N × H × W × C bytes, row-major.
package struct ImageSet: Sendable {
  package var height: Int
  package var width: Int
  package var channels: Int
  package var pixels: [UInt8]
  package var labels: [Int64]
  /// CIFAR-100's superclass labels, when the source has them.
  package var coarseLabels: [Int64]?

  package init(height: Int, width: Int, channels: Int, pixels: [UInt8], labels: [Int64], coarseLabels: [Int64]? = nil) {
    self.height = height
    self.width = width
    self.channels = channels
    self.pixels = pixels
    self.labels = labels
    self.coarseLabels = coarseLabels
  }

  package var count: Int { labels.count }
  package var imageBytes: Int { height * width * channels }

  /// The images padded with black (zero) pixels, centred, to `padTo`×`padTo`, and
  /// single-channel images replicated to `channels` — how the ODiMO reference feeds
  /// Fashion-MNIST (28×28×1) to CIFAR-shaped networks (32×32×3). nil leaves a dimension as it is.
  package func reshaped(padTo: Int?, channels newChannels: Int?) throws -> ImageSet {
    let size = padTo ?? height
    let outChannels = newChannels ?? channels
    guard padTo == nil || (height == width && size >= height) else {
      throw DatasetError.invalidOption(
        "--pad-to \(size) does not fit \(height)×\(width) images; expected square images and a size ≥ \(height)")
    }
    guard outChannels == channels || (channels == 1 && (1...4).contains(outChannels)) else {
      throw DatasetError.invalidOption(
        "--channels \(outChannels) cannot be made from \(channels)-channel images; expected \(channels), "
          + "or 1…4 copies of single-channel images")
    }
    if size == height && outChannels == channels { return self }
    let offset = (size - height) / 2
    let outBytes = size * size * outChannels
    var output = [UInt8](repeating: 0, count: count * outBytes)
    for image in 0..<count {
      for y in 0..<height {
        for x in 0..<width {
          let source = ((image * height + y) * width + x) * channels
          let target = image * outBytes + ((offset + y) * size + offset + x) * outChannels
          for c in 0..<outChannels { output[target + c] = pixels[source + (channels == 1 ? 0 : c)] }
        }
      }
    }
    return ImageSet(
      height: size, width: size, channels: outChannels, pixels: output, labels: labels, coarseLabels: coarseLabels)
  }

  /// The images at `indices`, in that order.
  package func subset(_ indices: [Int]) -> ImageSet {
    var pixels = [UInt8]()
    pixels.reserveCapacity(indices.count * imageBytes)
    for index in indices {
      pixels.append(contentsOf: self.pixels[(index * imageBytes)..<((index + 1) * imageBytes)])
    }
    return ImageSet(
      height: height, width: width, channels: channels, pixels: pixels, labels: indices.map { labels[$0] },
      coarseLabels: coarseLabels.map { coarse in indices.map { coarse[$0] } })
  }
}

/// Deterministic, stratified carving of a validation split out of a training split.
package enum ValidationSplit {
  /// Per class, a seeded shuffle of that class's indices; the first round(fraction × n)
  /// go to validation. Both lists are returned in ascending index order, so the
  /// training split keeps the source's order.
  package static func stratified(labels: [Int64], fraction: Double, seed: UInt64) throws -> (
    train: [Int], validation: [Int]
  ) {
    guard fraction >= 0, fraction < 1 else {
      throw InvalidOption("--val-split", value: fraction, expected: "0 ≤ fraction < 1")
    }
    var byClass: [Int64: [Int]] = [:]
    for (index, label) in labels.enumerated() { byClass[label, default: []].append(index) }
    var generator = SplitMix64(seed: seed)
    var validation: [Int] = []
    for label in byClass.keys.sorted() {
      var members = byClass[label] ?? []
      members.shuffle(using: &generator)
      let take = Int((fraction * Double(members.count)).rounded())
      validation.append(contentsOf: members.prefix(take))
    }
    validation.sort()
    let chosen = Set(validation)
    return (labels.indices.filter { !chosen.contains($0) }, validation)
  }
}
