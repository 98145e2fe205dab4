import Datasets
import Models
import Support

extension ModelZoo {
  /// Builds model `name` for the images of `dataset` (its train split's size and
  /// channels, its class count). Images or classes no model takes are an `EngineError`
  /// naming the file; an unknown model name or width is an `InvalidOption`.
  public static func make(_ name: String, for dataset: DatasetFile, width: Double = 1, stemStride: Int? = nil) throws
    -> Architecture
  {
    let train = try dataset.split("train")
    guard train.height == train.width else {
      throw EngineError("\(dataset.path): images must be square, got \(train.height)×\(train.width)")
    }
    do {
      return try make(
        name, resolution: train.height, channels: train.channels, classes: dataset.numClasses, width: width,
        stemStride: stemStride)
    } catch let error as InvalidOption where ["--input", "--channels", "--classes"].contains(error.option) {
      throw EngineError(
        "\(dataset.path): \(train.channels)×\(train.height)×\(train.width) images in \(dataset.numClasses) classes "
          + "cannot feed \(name); expected \(error.option.dropFirst(2)) \(error.expected)")
    }
  }
}
