import ArgumentParser
import Datasets
import Engine
import Foundation
import HDF5
import Hardware
import Models
import Search
import Support

struct BaselinesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "baselines",
    abstract: "Train the hand-made mappings a search is compared with.",
    discussion: """
      For --soc and --model: every unit alone (all-<unit>), per-layer latency-balanced, \
      DIANA's min-latency-max8bit (units of different precision) and MobileNetV1's \
      depthwise-separable layout (dws, alternative-operators SoCs). Each gets the weight \
      training a searched network gets: the preset's warmup, then its \
      mapping frozen for the fine-tune epochs (plus the search epochs under the paper \
      preset, which fine-tunes from the searched weights). Written as DIR/<name>.h5 (the \
      run-file format of odimo search), with a summary in DIR/baselines.json. odimo sweep \
      run --baselines trains the same mappings from a sweep's shared warmup.
      """
  )

  @OptionGroup var options: SearchOptions
  @Option(help: "Comma-separated subset of the baselines (default: all).") var only: String?
  @Option(name: .shortAndLong, help: "Folder for the run files (created if missing).") var out: String
  @Flag(help: "Print the summary as JSON.") var json = false
  @Flag(help: "No progress on stderr (errors still appear).") var quiet = false
  @Option(help: "Also write every epoch's scalars as TensorBoard event files into DIR/<baseline>.") var tensorboard:
    String?

  struct Entry: Encodable {
    let name: String
    let run: String
    let testAccuracy: Double
    let latencyCycles: Double
    let latencyMs: Double
    let energyUj: Double?
  }

  func run() throws {
    try reportingErrors {
      let configuration = try options.configuration()
      let strategies = try chooseBaselines(only ?? "all", for: configuration)
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
      var entries: [Entry] = []
      let progress = RunProgress(quiet: quiet)
      let log = tensorboard.map { TensorBoardLog(root: $0, sweep: out) }
      for strategy in strategies {
        let path = out + "/" + strategy.name + ".h5"
        try? FileManager.default.removeItem(atPath: path)
        let result = try SearchRun.run(
          configuration, out: path, baseline: strategy, observer: progress.observer(tensorboard: log))
        try log?.check()
        entries.append(
          Entry(
            name: strategy.name, run: path, testAccuracy: result.testAccuracy, latencyCycles: result.cost.latencyCycles,
            latencyMs: result.cost.latencyMilliseconds, energyUj: result.cost.energyMicrojoules))
        if !json {
          print(
            String(
              format: "%@: test accuracy %.2f%%, latency %.0f cycles, energy %@ µJ", strategy.name as NSString,
              result.testAccuracy * 100, result.cost.latencyCycles,
              result.cost.energyMicrojoules.map { String(format: "%.4f", $0) } ?? "n/a"))
        }
      }
      let encoder = JSONEncoder.sorted
      encoder.outputFormatting.insert(.prettyPrinted)
      try SafeWrite.write(try encoder.encode(entries), to: out + "/baselines.json")
      if json { try printJSON(entries) }
    }
  }
}

/// The baselines named by `list` ('all', 'none' or comma-separated names) for an SoC and model.
func chooseBaselines(_ list: String, for configuration: SearchConfiguration) throws -> [MappingStrategy] {
  if list == "none" { return [] }
  let (soc, model) = (configuration.soc, configuration.model)
  let socValue = try SoCCatalogue.soc(soc)
  let architecture = try ModelZoo.make(
    model, for: try Datasets.DatasetFile(path: configuration.data), width: configuration.width,
    stemStride: configuration.stemStride)
  let available = MappingStrategy.baselines(for: socValue, model: architecture)
  if list == "all" { return available }
  let wanted = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
  for name in wanted where !available.contains(where: { $0.name == name }) {
    throw InputError(
      "no baseline '\(name)' for \(model) on \(soc); available: \(available.map(\.name).joined(separator: ", "))")
  }
  return available.filter { wanted.contains($0.name) }
}
