import ArgumentParser
import Engine
import Foundation
import Hardware
import Models
import Search
import Support

struct BenchSearch: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Images per second of a whole supernet search epoch, against PyTorch.",
    discussion: """
      Times one search-phase epoch of odimo search (loader with crop and flip, supernet \
      forward and backward, λ·cost, SGD on the weights, Adam on the logits) on the first \
      --train-limit training images of --data, for --rounds rounds. With \
      --compare-pytorch, scripts/bench/pytorch_supernet.py runs the equivalent supernet \
      (same mixing, quantizers or branches, cost term with odimo's per-channel cycle \
      coefficients, optimizers and batch) on the same images in the same rounds, \
      interleaved; medians and the ratio odimo / PyTorch are printed. Needs PyTorch and \
      h5py: pip install "torch==2.13.0+cpu" h5py
      The first round also times every supernet layer (ms per step, forward and backward)       and what a step spends outside the network; compare --precision fp32 and bf16 to see       where bf16 pays.
      """
  )

  @Option(help: "SoC.") var soc = "diana"
  @Option(help: "Zoo model.") var model = "resnet20"
  @Option(help: "Width multiplier (MobileNetV1).") var width = 1.0
  @Option(help: "MobileNetV1's first-layer stride (the reference's Darkside network: 2 at 32×32).")
  var stemStride: Int?
  @Option(help: "Dataset file.") var data: String
  @Option(help: "Training images per epoch.") var trainLimit = 5000
  @Option(help: "Images per step (odimo and PyTorch alike).") var batch = SearchPreset.quick.batchSize
  @Option(help: "What odimo's convolutions compute in: fp32, bf16 or auto (PyTorch stays fp32).")
  var precision: Precision = .fp32
  @Option(help: "λ (normalized scale).") var lambda = 1.0
  @Option(help: "Rounds; medians are reported.") var rounds = 3
  @Flag(help: "Also time PyTorch in the same rounds.") var comparePytorch = false
  @Option(help: "Python with PyTorch and h5py.") var python = "python3"
  @Flag(help: "Print JSON.") var json = false

  struct Summary: Encodable {
    let soc: String
    let model: String
    let images: Int
    let batch: Int
    let precision: Precision
    let imagesPerSecond: Double
    let pytorchImagesPerSecond: Double?
    let ratio: Double?
    /// Per supernet layer, ms per step (first round), and the rest of a step.
    let layers: [LayerTime]
    let outsideNetworkMs: Double?
  }

  func run() throws {
    try reportingErrors {
      guard trainLimit > 0 else { throw InvalidOption("--train-limit", value: trainLimit, expected: "≥ 1 image") }
      guard rounds > 0 else { throw InvalidOption("--rounds", value: rounds, expected: "≥ 1") }
      guard batch > 0, batch <= trainLimit else {
        throw InvalidOption("--batch", value: batch, expected: "1…--train-limit (\(trainLimit)) images")
      }
      let script = FileManager.default.currentDirectoryPath + "/scripts/bench/pytorch_supernet.py"
      if comparePytorch && !FileManager.default.fileExists(atPath: script) {
        throw InputError("\(script) not found; run from the repository root")
      }
      var configuration = SearchConfiguration(
        soc: soc, model: model, width: width, data: data, metric: .latency, lambda: lambda, trainLimit: trainLimit)
      configuration.stemStride = stemStride
      configuration.preset.batchSize = batch
      configuration.precision = precision
      let costs = FileManager.default.temporaryDirectory.appendingPathComponent("odimo-costs-\(getpid()).json").path
      defer { try? FileManager.default.removeItem(atPath: costs) }
      var ours: [SearchBenchmark.Result] = []
      var theirs: [Double] = []
      for round in 0..<rounds {
        let result = try SearchBenchmark.run(configuration, profileLayers: round == 0)
        ours.append(result)
        if comparePytorch {
          try JSONEncoder().encode(result.cyclesPerChannel).write(to: URL(fileURLWithPath: costs))
          let output = try runProcess(
            "/usr/bin/env",
            [
              python, script, "--data", data, "--model", model, "--width", "\(width)", "--limit", "\(trainLimit)",
              "--costs", costs, "--lam", "\(lambda)", "--batch", "\(batch)", "--threads",
              "\(ProcessInfo.processInfo.activeProcessorCount)",
            ] + (stemStride.map { ["--stem-stride", "\($0)"] } ?? []))
          guard let line = output.split(separator: "\n").last,
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let speed = object["images_per_second"] as? Double
          else { throw InputError("the PyTorch script printed no images_per_second: \(output)") }
          theirs.append(speed)
        }
        if !json { FileHandle.standardError.write(Data("round \(round + 1)/\(rounds) done\n".utf8)) }
      }
      let speed = median(ours.map(\.imagesPerSecond))
      let pytorch = theirs.isEmpty ? nil : median(theirs)
      let summary = Summary(
        soc: soc, model: model, images: ours[0].images, batch: batch, precision: precision, imagesPerSecond: speed,
        pytorchImagesPerSecond: pytorch,
        ratio: pytorch.map { speed / $0 }, layers: ours[0].layers.map(LayerTime.init),
        outsideNetworkMs: ours[0].outsideNetworkMilliseconds)
      if json { return try printJSON(summary) }
      printLayerTimes(summary.layers)
      if let outside = summary.outsideNetworkMs {
        print(String(format: "outside the network (loader, loss, cost, optimizers) %.2f ms per step", outside))
      }
      var line = String(
        format: "%@ supernet on %@, %d images in batches of %d, %@: search epoch %.0f images/s", model, soc,
        summary.images, batch, precision.rawValue, speed)
      if let pytorch { line += String(format: "; PyTorch %.0f images/s; ratio %.2f×", pytorch, speed / pytorch) }
      print(line + " (median of \(rounds) rounds)")
    }
  }
}
