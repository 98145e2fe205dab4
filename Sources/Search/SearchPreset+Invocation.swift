import Foundation

/// How a preset is asked for again: a built-in name plus the options that override single
/// fields, or a preset file when a field no option sets differs (the report's "Reproduce").
extension SearchPreset {
  /// One field a preset file or an option can set.
  struct Field: Sendable {
    /// The key in a preset file.
    let key: String
    /// The `search`/`sweep` option that sets it (nil: only a preset file can).
    let option: String?
    /// The field's value as TOML and option text; nil when unset.
    let text: @Sendable (SearchPreset) -> String?
  }

  /// Every field but the name, in the order of `File.CodingKeys`.
  static let fields: [Field] = [
    Field(key: "warmup_epochs", option: "--warmup-epochs") { "\($0.warmupEpochs)" },
    Field(key: "search_epochs", option: "--search-epochs") { "\($0.searchEpochs)" },
    Field(key: "fine_tune_epochs", option: "--finetune-epochs") { "\($0.fineTuneEpochs)" },
    Field(key: "batch_size", option: "--batch") { "\($0.batchSize)" },
    Field(key: "learning_rate", option: "--lr") { "\($0.learningRate)" },
    Field(key: "folded_learning_rate", option: "--folded-lr") { $0.foldedLearningRate.map { "\($0)" } },
    Field(key: "logit_learning_rate", option: "--logit-lr") { "\($0.logitLearningRate)" },
    Field(key: "initial_temperature", option: nil) { "\($0.initialTemperature)" },
    Field(key: "final_temperature", option: nil) { "\($0.finalTemperature)" },
    Field(key: "fine_tune_from", option: nil) { "\"\($0.fineTuneFrom.rawValue)\"" },
    Field(key: "patience", option: "--patience") { $0.patience.map { "\($0)" } },
    Field(key: "lambda_ramp_epochs", option: "--lambda-ramp") { "\($0.lambdaRampEpochs)" },
  ]

  /// The fields in which this preset differs from `base`, with their values here; nil when
  /// `base` cannot become this preset (a field `base` sets that this preset leaves unset:
  /// neither a file nor an option unsets a field).
  func differences(from base: SearchPreset) -> [(field: Field, value: String)]? {
    var found: [(field: Field, value: String)] = []
    for field in Self.fields {
      let mine = field.text(self)
      guard mine != field.text(base) else { continue }
      guard let mine else { return nil }
      found.append((field, mine))
    }
    return found
  }

  /// Every field this preset sets, with its value.
  private var setFields: [(field: Field, value: String)] {
    Self.fields.compactMap { field in field.text(self).map { (field, $0) } }
  }

  /// What to pass as `--preset` and the options after it, and the preset file to write
  /// first when one is needed (nil: the preset cannot be asked for again — a field every
  /// built-in sets is unset here). Every field the preset sets is spelled out, even where it
  /// equals today's built-in: a later version may change a built-in (standard's folded rate
  /// did), and a command that names a commit must mean the same preset there.
  package func invocation() -> (arguments: [String], file: PresetFile?)? {
    if let base = Self.named(name), let changed = differences(from: base),
      changed.allSatisfy({ $0.field.option != nil })
    {
      let listed = setFields.filter { $0.field.option != nil }
      return (["--preset", name] + listed.flatMap { [$0.field.option ?? "", $0.value] }, nil)
    }
    // The built-in needing the fewest changes is named as the base: the file reads as that
    // built-in plus its differences, though it lists every field.
    let candidates = Self.builtIn.compactMap { base in differences(from: base).map { (base, $0) } }
    guard let (base, _) = candidates.min(by: { $0.1.count < $1.1.count }) else { return nil }
    let lines =
      ["base = \(tomlString(base.name))", "name = \(tomlString(name))"]
      + setFields.map { "\($0.field.key) = \($0.value)" }
    let file = PresetFile(name: fileName, text: lines.joined(separator: "\n") + "\n")
    return (["--preset", file.name], file)
  }

  /// A preset file `invocation` asks to be written before the command runs.
  package struct PresetFile: Sendable, Equatable {
    /// File name (`<preset name>.toml`, made safe for a file system).
    package var name: String
    /// Its TOML text.
    package var text: String
  }

  private var fileName: String {
    let safe = name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" }
    return (safe.isEmpty ? "preset" : String(safe)) + ".toml"
  }

  private func tomlString(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }
}
