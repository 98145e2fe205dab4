import Datasets
import Engine
import Foundation
import Support

/// A run's deployed network evaluated twice on the same test images, once with its
/// convolutions in fp32 and once in bf16, batch by batch (interleaved, so both see the same
/// machine): how far bf16 moves the logits and predictions, and what it gains in speed.
package struct PrecisionComparison: Sendable, Encodable {
  /// Images compared (the first of the test split, in file order).
  package let images: Int
  /// Test accuracy (%) of the fp32 and bf16 forward passes.
  package let fp32Accuracy: Double
  package let bf16Accuracy: Double
  /// Images whose predicted class is the same in both.
  package let agreeingPredictions: Int
  /// Images whose logits are the same bit for bit.
  package let identicalLogits: Int
  /// Largest and median |logit_bf16 − logit_fp32| over every image and class.
  package let largestLogitDifference: Double
  package let medianLogitDifference: Double
  /// Forward-pass speed (images per second) of each, summed over the batches.
  package let fp32ImagesPerSecond: Double
  package let bf16ImagesPerSecond: Double

  /// Compares `run` on the first `limit` test images (nil: all) of the dataset it records.
  package static func measure(_ run: RunFile, limit: Int? = nil) throws -> PrecisionComparison {
    let (fp32, _) = try run.deployedNetwork(precision: .fp32)
    let (bf16, _) = try run.deployedNetwork(precision: .bf16)
    let path = run.configuration.data
    let available = try DatasetFile(path: path).split("test").count
    if let limit, limit < 1 || limit > available {
      throw InvalidOption("--images", value: limit, expected: "1…\(available) (the test images of \(path))")
    }
    let count = limit ?? available
    let loader = try BatchLoader(
      path: path, split: "test", options: LoaderOptions(batchSize: min(256, count), shuffle: false, limit: count))
    let stream = loader.batches(epoch: 0)
    defer { stream.cancel() }
    var differences: [Float] = []
    var (agreeing, identical, fp32Correct, bf16Correct, images) = (0, 0, 0, 0, 0)
    var (fp32Seconds, bf16Seconds) = (0.0, 0.0)
    let classes = fp32.architecture.classes
    while let batch = try stream.nextBatch() {
      let input = Tensor(dims: [batch.count, batch.channels, batch.height, batch.width], values: batch.images)
      let (exact, exactSeconds) = try timed { try fp32.forward(input, training: false).values() }
      let (rounded, roundedSeconds) = try timed { try bf16.forward(input, training: false).values() }
      fp32Seconds += exactSeconds
      bf16Seconds += roundedSeconds
      for image in 0..<batch.count {
        let row = (image * classes)..<((image + 1) * classes)
        let (a, b) = (argmax(exact[row]), argmax(rounded[row]))
        agreeing += a == b ? 1 : 0
        identical += exact[row] == rounded[row] ? 1 : 0
        fp32Correct += a == Int(batch.labels[image]) ? 1 : 0
        bf16Correct += b == Int(batch.labels[image]) ? 1 : 0
        for index in row { differences.append(abs(rounded[index] - exact[index])) }
      }
      images += batch.count
    }
    differences.sort()
    return PrecisionComparison(
      images: images, fp32Accuracy: 100 * Double(fp32Correct) / Double(images),
      bf16Accuracy: 100 * Double(bf16Correct) / Double(images), agreeingPredictions: agreeing,
      identicalLogits: identical,
      largestLogitDifference: Double(differences.last ?? 0),
      medianLogitDifference: Double(differences.isEmpty ? 0 : differences[differences.count / 2]),
      fp32ImagesPerSecond: Double(images) / fp32Seconds, bf16ImagesPerSecond: Double(images) / bf16Seconds)
  }

  /// The first index of the largest value (ties go to the lower class, as in evaluation).
  private static func argmax(_ values: ArraySlice<Float>) -> Int {
    var best = values.startIndex
    for index in values.indices where values[index] > values[best] { best = index }
    return best - values.startIndex
  }

  private static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let value = try body()
    return (value, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
  }
}
