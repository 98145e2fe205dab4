import Datasets
import Models
import Support

extension ModelZoo {
  /// Builds model `name` for the images of `dataset` (its train split's size and
  /// channels, its class count). Images or classes no model takes are an `EngineError`
  /// naming the file; an unknown model name or width is an `InvalidOption`.
  package static func make(_ name: String, for dataset: DatasetFile, width: Double = 1, stemStride: Int? = nil) throws
    -> Architecture
  {
    let train = try dataset.split("train")
    guard train.height == train.width else {
      throw EngineError.datasetDoesNotFit(
        file: dataset.path, model: name, detail: "\(train.height)×\(train.width) images (not square)")
    }
    do {
      return try make(
        name, resolution: train.height, channels: train.channels, classes: dataset.numClasses, width: width,
        stemStride: stemStride)
    } catch let error as InvalidOption where ["--input", "--channels", "--classes"].contains(error.option) {
      throw EngineError.datasetDoesNotFit(
        file: dataset.path, model: name,
        detail: "\(train.channels)×\(train.height)×\(train.width) images in \(dataset.numClasses) classes "
          + "(expected \(error.option.dropFirst(2)) \(error.expected))")
    }
  }
}
