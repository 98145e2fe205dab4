import ArgumentParser
import Console
import Datasets
import Foundation

struct DataCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "data",
    abstract: "Import image datasets into odimo's HDF5 format and describe them.",
    discussion: "The format is documented in datasets/README.md; files read with plain h5py.",
    subcommands: [DataImport.self, DataInfo.self]
  )
}

extension ImportFormat: ExpressibleByArgument {}

struct DataImport: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import a dataset from its official distribution.",
    discussion: """
      FORMAT and SOURCE:
        cifar10, cifar100   the binary version: the extracted folder or the .tar.gz
        mnist, fashion-mnist  a folder with the four IDX files (gzipped or not), e.g.
                            /usr/share/datasets/fashion-mnist (Debian's dataset-fashion-mnist)
        imagenet            a folder with train/<wnid>/*.JPEG and val/<wnid>/*.JPEG;
                            images resized to --resolution (shorter side, centre crop)

      Examples:
        odimo data import fashion-mnist /usr/share/datasets/fashion-mnist --out fmnist.h5
        odimo data import fashion-mnist /usr/share/datasets/fashion-mnist --out fmnist32.h5 --pad-to 32 --channels 3
        odimo data import cifar10 cifar-10-binary.tar.gz --out cifar10.h5
      """
  )

  @Argument(help: "cifar10, cifar100, mnist, fashion-mnist or imagenet.") var format: ImportFormat
  @Argument(help: "The source folder or archive.") var source: String
  @Option(
    name: [.customShort("o"), .customLong("out"), .customLong("output")],
    help: "The dataset file to write (--output: the old spelling).")
  var output: String
  @Option(
    help: """
      Fraction of train carved out, stratified, as the validation split that selects epochs \
      (0: none; search, sweep, baselines and train then refuse the file).
      """) var valSplit = 0.1
  @Option(help: "Seed of the validation split.") var seed: UInt64 = 0
  @Option(help: "ImageNet: output resolution in pixels.") var resolution = 64
  @Option(help: "Pad images with black pixels, centred, to N×N (the ODiMO reference feeds Fashion-MNIST at 32).")
  var padTo: Int?
  @Option(help: "Replicate single-channel images to N channels (the reference's Fashion-MNIST: 3).") var channels: Int?
  @Option(help: "ImageNet: synset-words file ('wnid name' per line) for class names.") var synsets: String?
  @Flag(help: "Replace OUTPUT if it exists.") var force = false
  @Flag(help: "No progress bar.") var quiet = false
  @Flag(help: "Print what was written as JSON (path, splits with their image counts, seconds).") var json = false

  func validate() throws {
    guard valSplit >= 0, valSplit < 1 else { throw ValidationError("--val-split must be in [0, 1), got \(valSplit)") }
  }

  func run() throws {
    try reportingErrors {
      let bar = ProgressLine(mode: quiet || isatty(2) == 0 ? .quiet : .terminal)
      let started = Date()
      try DatasetImporter.run(
        format, source: source,
        options: ImportOptions(
          output: output, force: force, validationFraction: valSplit, seed: seed, padTo: padTo, channels: channels,
          progress: { bar.step(ProgressLine.Step(phase: $0.phase, done: $0.done, total: $0.total, unit: "images")) }),
        resolution: resolution, synsets: synsets)
      bar.finish()
      let dataset = try DatasetFile(path: output)
      let seconds = Date().timeIntervalSince(started)
      if json {
        struct Written: Encodable {
          let path: String
          let splits: [String: Int]
          let seconds: Double
        }
        return try printJSON(
          Written(
            path: output, splits: Dictionary(uniqueKeysWithValues: dataset.splits.map { ($0.name, $0.count) }),
            seconds: seconds), snakeCaseKeys: true)
      }
      let counts = dataset.splits.map { "\($0.name) \($0.count)" }.joined(separator: ", ")
      print(String(format: "wrote %@ (%@) in %.1f s", output, counts, seconds))
    }
  }
}

struct DataInfo: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info", abstract: "Splits, counts, image shape, class histogram, mean/std and source of a dataset.")

  @Argument(help: "A dataset file written by odimo data import.") var file: String
  @Flag(help: "Print JSON.") var json = false

  struct Summary: Encodable {
    struct Split: Encodable {
      let name: String
      let count: Int
      let shape: [Int]
      let classHistogram: [Int]
    }
    let file: String
    let name: String
    let formatVersion: Int
    let numClasses: Int
    let classNames: [String]
    let coarseClassNames: [String]?
    let layout: String
    let mean: [Double]
    let std: [Double]
    let source: String
    let splits: [Split]
  }

  func run() throws {
    try reportingErrors {
      let dataset = try DatasetFile(path: file)
      let splits = try dataset.splits.map { split in
        var histogram = [Int](repeating: 0, count: dataset.numClasses)
        for label in try dataset.labels(of: split.name) where label >= 0 && Int(label) < histogram.count {
          histogram[Int(label)] += 1
        }
        return Summary.Split(
          name: split.name, count: split.count, shape: [split.height, split.width, split.channels],
          classHistogram: histogram)
      }
      let summary = Summary(
        file: file, name: dataset.name, formatVersion: dataset.formatVersion, numClasses: dataset.numClasses,
        classNames: dataset.classNames, coarseClassNames: dataset.coarseClassNames, layout: "NHWC", mean: dataset.mean,
        std: dataset.std, source: dataset.source, splits: splits)
      if json { return try printJSON(summary) }
      print("\(dataset.name): \(file) (odimo-dataset v\(dataset.formatVersion), \(dataset.numClasses) classes)")
      for split in splits {
        print(
          "  \(split.name): \(split.count) images of \(split.shape.map(String.init).joined(separator: "×")) (H×W×C)")
      }
      print(
        "  mean " + dataset.mean.map { String(format: "%.4f", $0) }.joined(separator: " ")
          + "  std " + dataset.std.map { String(format: "%.4f", $0) }.joined(separator: " ")
          + " (train, pixel scale 0–1)")
      print("  classes:")
      for (index, name) in dataset.classNames.enumerated() {
        print(
          "    \(String(index).padding(toLength: 4, withPad: " ", startingAt: 0))\(name.padding(toLength: 24, withPad: " ", startingAt: 0))"
            + splits.map { "\($0.name) \($0.classHistogram[index])" }.joined(separator: "  "))
      }
      print("  source:")
      for line in dataset.source.split(separator: "\n").prefix(12) { print("    \(line)") }
    }
  }
}
