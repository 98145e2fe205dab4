import Foundation
import HDF5

/// The metadata of an odimo dataset file (format "odimo-dataset"; see
/// datasets/README.md). Opening checks the format and every split's consistency.
package struct DatasetFile: Sendable {
  package static let formatName = "odimo-dataset"
  package static let formatVersion = 1
  /// Splits in the order they are listed.
  package static let splitNames = ["train", "val", "test"]

  /// One split's shape.
  package struct Split: Sendable, Equatable {
    package let name: String
    package let count: Int
    package let height: Int
    package let width: Int
    package let channels: Int
    package let hasCoarseLabels: Bool
  }

  package let path: String
  package let name: String
  package let formatVersion: Int
  package let classNames: [String]
  package let coarseClassNames: [String]?
  /// Per-channel mean and standard deviation of the training split, pixel scale 0–1.
  package let mean: [Double]
  package let std: [Double]
  package let source: String
  package let splits: [Split]

  package var numClasses: Int { classNames.count }

  /// The split called `name`, or an error listing those the file has.
  /// The split that selects epochs and mappings: always "val"; a file without one is
  /// refused rather than selecting on the test split.
  package func validationSplit() throws -> String {
    guard splits.contains(where: { $0.name == "val" && $0.count > 0 }) else {
      throw DatasetError.noValidationSplit(path)
    }
    return "val"
  }

  package func split(_ name: String) throws -> Split {
    guard let split = splits.first(where: { $0.name == name }) else {
      throw DatasetError.wrongFormat(
        path, "no split '\(name)'; the file has \(splits.map(\.name).joined(separator: ", "))")
    }
    return split
  }

  /// Reads and checks the metadata of the dataset at `path`.
  package init(path: String) throws {
    let file = try HDF5File.open(path)
    defer { file.close() }
    self.path = path
    func attribute(_ key: String) throws -> AttributeValue {
      guard file.hasAttribute(key) else {
        throw DatasetError.wrongFormat(path, "root attribute '\(key)' is missing; expected an odimo dataset file")
      }
      return try file.attribute(key)
    }
    guard try attribute("format").stringValue == Self.formatName else {
      throw DatasetError.wrongFormat(path, "format is not '\(Self.formatName)'; import data with odimo data import")
    }
    guard let version = try attribute("format_version").intValue, version >= 1, version <= Self.formatVersion else {
      throw DatasetError.wrongFormat(path, "unsupported format_version (this odimo reads 1…\(Self.formatVersion))")
    }
    formatVersion = Int(version)
    name = try attribute("name").stringValue ?? ""
    classNames = try attribute("class_names").stringsValue ?? []
    coarseClassNames =
      file.hasAttribute("coarse_class_names") ? try file.attribute("coarse_class_names").stringsValue : nil
    mean = try attribute("mean").doublesValue ?? []
    std = try attribute("std").doublesValue ?? []
    source = try attribute("source").stringValue ?? ""
    guard try attribute("layout").stringValue == "NHWC" else {
      throw DatasetError.wrongFormat(path, "layout must be NHWC")
    }
    guard let declared = try attribute("num_classes").intValue, Int(declared) == classNames.count, declared >= 2 else {
      throw DatasetError.wrongFormat(path, "num_classes does not match the \(classNames.count) class_names")
    }
    var splits: [Split] = []
    for name in Self.splitNames where file.contains(name) {
      let images = try file.dataset("\(name)/images")
      let labels = try file.dataset("\(name)/labels")
      let shape = images.shape
      guard shape.count == 4, images.elementType == .uint8 else {
        throw DatasetError.wrongFormat(path, "\(name)/images must be uint8 N×H×W×C, found \(images.typeName) \(shape)")
      }
      guard labels.shape == [shape[0]], labels.elementType == .int64 else {
        throw DatasetError.wrongFormat(
          path, "\(name)/labels must be int64 [\(shape[0])], found \(labels.typeName) \(labels.shape)")
      }
      guard shape[3] == mean.count, shape[3] == std.count else {
        throw DatasetError.wrongFormat(
          path, "mean/std have \(mean.count)/\(std.count) entries for \(shape[3]) channels")
      }
      splits.append(
        Split(
          name: name, count: shape[0], height: shape[1], width: shape[2], channels: shape[3],
          hasCoarseLabels: file.contains("\(name)/coarse_labels")))
    }
    guard !splits.isEmpty else { throw DatasetError.wrongFormat(path, "the file has no train, val or test split") }
    self.splits = splits
  }

  /// Everything training will rely on, checked before the first step rather than after the
  /// last: train, val and test splits present and non-empty, images of one shape in all of
  /// them, every label in 0..<classes, mean and std finite with std > 0. Reads the labels.
  package func checkForTraining() throws {
    for name in Self.splitNames {
      guard let split = splits.first(where: { $0.name == name }) else {
        throw DatasetError.wrongFormat(
          path, "no '\(name)' split; training needs train, val and test (re-import with odimo data import)")
      }
      guard split.count > 0 else {
        throw DatasetError.wrongFormat(path, "the '\(name)' split is empty; expected at least one image")
      }
    }
    let train = try split("train")
    for split in splits where (split.height, split.width, split.channels) != (train.height, train.width, train.channels)
    {
      throw DatasetError.wrongFormat(
        path,
        "\(split.name) images are \(split.height)×\(split.width)×\(split.channels) but train images are "
          + "\(train.height)×\(train.width)×\(train.channels); every split must have one shape")
    }
    for (index, value) in (mean + std).enumerated() where !value.isFinite {
      throw DatasetError.wrongFormat(
        path, "\(index < mean.count ? "mean" : "std") holds \(value); expected finite numbers")
    }
    if let bad = std.firstIndex(where: { $0 <= 0 }) {
      throw DatasetError.wrongFormat(path, "std of channel \(bad) is \(std[bad]); expected a positive number")
    }
    for split in splits {
      let labels = try labels(of: split.name)
      if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= Int64(numClasses) }) {
        throw DatasetError.wrongFormat(
          path, "\(split.name)/labels[\(bad)] is \(labels[bad]); expected a class index 0…\(numClasses - 1)")
      }
    }
  }

  /// All labels of a split.
  package func labels(of split: String) throws -> [Int64] {
    let file = try HDF5File.open(path)
    defer { file.close() }
    return try file.read("\(split)/labels", as: Int64.self)
  }
}
