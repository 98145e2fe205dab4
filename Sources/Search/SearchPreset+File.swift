import Foundation
import Hardware
import Support

extension SearchPreset {
  /// The TOML form of a preset (documented in `datasets/FORMATS.md`, "Preset files"):
  /// `base` names a built-in preset to start from (default `standard`); every other key
  /// overrides one field of it.
  struct File: Decodable {
    var base: String?
    var name: String?
    var warmupEpochs: Int?
    var searchEpochs: Int?
    var fineTuneEpochs: Int?
    var batchSize: Int?
    var learningRate: Double?
    var foldedLearningRate: Double?
    var logitLearningRate: Double?
    var initialTemperature: Double?
    var finalTemperature: Double?
    var fineTuneFrom: String?
    var patience: Int?
    var lambdaRampEpochs: Int?

    enum CodingKeys: String, CodingKey {
      case base, name, patience
      case warmupEpochs = "warmup_epochs"
      case searchEpochs = "search_epochs"
      case fineTuneEpochs = "fine_tune_epochs"
      case batchSize = "batch_size"
      case learningRate = "learning_rate"
      case foldedLearningRate = "folded_learning_rate"
      case logitLearningRate = "logit_learning_rate"
      case initialTemperature = "initial_temperature"
      case finalTemperature = "final_temperature"
      case fineTuneFrom = "fine_tune_from"
      case lambdaRampEpochs = "lambda_ramp_epochs"
    }
  }

  /// A built-in preset by name, or a preset file (`*.toml`) by path.
  package static func resolve(_ nameOrPath: String) throws -> SearchPreset {
    if let builtIn = named(nameOrPath) { return builtIn }
    guard nameOrPath.hasSuffix(".toml") || FileManager.default.fileExists(atPath: nameOrPath) else {
      throw InvalidOption(
        "--preset", value: nameOrPath,
        expected: builtIn.map(\.name).joined(separator: ", ") + " or a preset file (*.toml)")
    }
    return try load(contentsOf: nameOrPath)
  }

  /// Reads a preset file.
  package static func load(contentsOf path: String) throws -> SearchPreset {
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw SearchError.presetFile(file: path, message: "cannot read the file (missing, unreadable or not UTF-8)")
    }
    return try parse(text, file: path)
  }

  /// Parses a preset file's text; `file` names it in errors.
  package static func parse(_ text: String, file: String) throws -> SearchPreset {
    let fields: File
    do { fields = try StrictTOML.decode(File.self, from: text) } catch {
      let place = error.line.map { "line \($0): " } ?? ""
      let expected =
        error.message.hasPrefix("unknown key") ? "; expected " + File.CodingKeys.allNames.joined(separator: ", ") : ""
      throw SearchError.presetFile(file: file, message: place + error.message + expected)
    }
    let baseName = fields.base ?? "standard"
    guard var preset = named(baseName) else {
      throw SearchError.presetFile(
        file: file,
        message: "base '\(baseName)' is not a built-in preset (\(builtIn.map(\.name).joined(separator: ", ")))")
    }
    preset.name = fields.name ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
    if let value = fields.warmupEpochs { preset.warmupEpochs = value }
    if let value = fields.searchEpochs { preset.searchEpochs = value }
    if let value = fields.fineTuneEpochs { preset.fineTuneEpochs = value }
    if let value = fields.batchSize { preset.batchSize = value }
    if let value = fields.learningRate { preset.learningRate = value }
    if let value = fields.foldedLearningRate { preset.foldedLearningRate = value }
    if let value = fields.logitLearningRate { preset.logitLearningRate = value }
    if let value = fields.initialTemperature { preset.initialTemperature = value }
    if let value = fields.finalTemperature { preset.finalTemperature = value }
    if let value = fields.patience { preset.patience = value }
    if let value = fields.lambdaRampEpochs { preset.lambdaRampEpochs = value }
    if let value = fields.fineTuneFrom {
      guard let start = FineTuneStart(rawValue: value) else {
        throw SearchError.presetFile(file: file, message: "fine_tune_from is '\(value)'; expected searched or warmup")
      }
      preset.fineTuneFrom = start
    }
    do { try preset.validate() } catch let error as SearchError {
      throw SearchError.presetFile(file: file, message: error.description)
    }
    return preset
  }
}

extension SearchPreset.File.CodingKeys: CaseIterable {
  static var allNames: [String] { allCases.map(\.rawValue) }
}
