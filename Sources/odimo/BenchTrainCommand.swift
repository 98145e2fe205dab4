import ArgumentParser
import Engine
import Foundation
import Hardware
import Models
import Search

struct BenchTrain: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Images per second of a full training step and of forward only, with time per layer.",
    discussion: """
      Times --steps training steps (forward, backward, SGD with momentum) of a zoo model on \
      a fixed random batch, then --steps forward passes, for --rounds rounds; medians are \
      reported. With --compare-pytorch, scripts/bench/pytorch_train.py runs the same \
      architecture the same way (PyTorch CPU, channels_last, same thread count) in the same \
      rounds, interleaved, and the ratio odimo / PyTorch is printed. Install PyTorch with: \
      pip install "torch==2.13.0+cpu"
      """
  )

  @Option(help: "Zoo model.") var model = "resnet20"
  @Option(help: "Width multiplier (MobileNetV1).") var width = 1.0
  @Option(help: "Time the model's ODiMO supernet for this SoC instead of the plain model (no PyTorch comparison).")
  var soc: String?
  @Option(help: "Batch size.") var batch = 128
  @Option(help: "Input resolution.") var input = 32
  @Option(help: "Input channels.") var channels = 3
  @Option(help: "Classes.") var classes = 10
  @Option(help: "Timed steps per round.") var steps = 10
  @Option(help: "What odimo's convolutions compute in: fp32, bf16 or auto (PyTorch stays fp32).")
  var precision: Precision = .fp32
  @Option(help: "Rounds; medians are reported.") var rounds = 3
  @Flag(help: "Also time PyTorch in the same rounds.") var comparePytorch = false
  @Option(help: "Python with PyTorch.") var python = "python3"
  @Flag(help: "Print JSON.") var json = false

  struct Summary: Encodable {
    let model: String
    let batch: Int
    let imagesPerSecond: Double
    let forwardImagesPerSecond: Double
    let pytorchImagesPerSecond: Double?
    let pytorchForwardImagesPerSecond: Double?
    let ratio: Double?
    let layers: [LayerTime]
  }

  func run() throws {
    try reportingErrors {
      var architecture = try ModelZoo.make(model, resolution: input, channels: channels, classes: classes, width: width)
      if let soc {
        guard !comparePytorch else { throw InputError("--soc times a supernet; use odimo bench search to compare it") }
        architecture = try Supernet(model: architecture, soc: try SoCCatalogue.soc(soc)).architecture
      }
      var ours: [TrainingBenchmark.Result] = []
      var theirs: [(Double, Double)] = []
      let script = URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/scripts/bench/pytorch_train.py")
        .path
      if comparePytorch && !FileManager.default.fileExists(atPath: script) {
        throw InputError("\(script) not found; run from the repository root")
      }
      for round in 0..<rounds {
        ours.append(
          try TrainingBenchmark.run(
            architecture: architecture, batch: batch, steps: steps, profileLayers: round == 0, precision: precision))
        if comparePytorch { theirs.append(try pytorchRound(script)) }
        if !json { FileHandle.standardError.write(Data("round \(round + 1)/\(rounds) done\n".utf8)) }
      }
      let train = median(ours.map(\.trainImagesPerSecond))
      let forward = median(ours.map(\.forwardImagesPerSecond))
      let pytorch = theirs.isEmpty ? nil : median(theirs.map(\.0))
      let pytorchForward = theirs.isEmpty ? nil : median(theirs.map(\.1))
      let summary = Summary(
        model: model, batch: batch, imagesPerSecond: train, forwardImagesPerSecond: forward,
        pytorchImagesPerSecond: pytorch,
        pytorchForwardImagesPerSecond: pytorchForward, ratio: pytorch.map { train / $0 },
        layers: ours[0].layers.map(LayerTime.init))
      if json { return try printJSON(summary) }
      printTable(summary)
    }
  }

  /// One PyTorch round of the same model and batch: training and forward images/s.
  private func pytorchRound(_ script: String) throws -> (Double, Double) {
    let output = try runProcess(
      "/usr/bin/env",
      [
        python, script, "--model", model, "--batch", "\(batch)", "--steps", "\(steps)", "--resolution", "\(input)",
        "--channels", "\(channels)", "--classes", "\(classes)", "--threads",
        "\(ProcessInfo.processInfo.activeProcessorCount)",
      ])
    guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
      let train = object["images_per_second"] as? Double,
      let forward = object["forward_images_per_second"] as? Double
    else { throw InputError("the PyTorch script printed no images_per_second: \(output)") }
    return (train, forward)
  }

  /// The per-layer times and the summary line, for people.
  private func printTable(_ summary: Summary) {
    printLayerTimes(summary.layers)
    let (train, forward) = (summary.imagesPerSecond, summary.forwardImagesPerSecond)
    var line = String(
      format: "%@ batch %d: training %.0f images/s, forward %.0f images/s", model, batch, train, forward)
    if let pytorch = summary.pytorchImagesPerSecond, let pytorchForward = summary.pytorchForwardImagesPerSecond {
      line += String(
        format: "; PyTorch %.0f / %.0f images/s; ratio %.2f× training, %.2f× forward", pytorch, pytorchForward,
        train / pytorch, forward / pytorchForward)
    }
    print(line + " (median of \(rounds) rounds)")
  }
}
