import Foundation
import Hardware
import Support
import TestSupport
import Testing

@testable import Search

/// A report's "Reproduce" commands: the preset comes back as a name plus options, or as a
/// preset file that parses to the same preset; the sweep's options are all spelled out.
@Suite struct SweepInvocationTests {
  @Test func builtInPresetsAndTheirOptionOverridesNeedNoFile() throws {
    for preset in SearchPreset.builtIn {
      let asked = try #require(preset.invocation())
      #expect(Array(asked.arguments.prefix(2)) == ["--preset", preset.name] && asked.file == nil)
      #expect(try Self.parsed(asked) == preset)
    }
    var changed = SearchPreset.standard
    changed.batchSize = 64
    changed.patience = 3
    changed.logitLearningRate = 1e-05
    let asked = try #require(changed.invocation())
    #expect(asked.file == nil)
    #expect(
      asked.arguments == [
        "--preset", "standard", "--warmup-epochs", "5", "--search-epochs", "5", "--finetune-epochs", "5", "--batch",
        "64", "--lr", "0.05", "--folded-lr", "0.001", "--logit-lr", "1e-05", "--patience", "3", "--lambda-ramp", "1",
      ])
    #expect(try Self.parsed(asked) == changed)
  }

  /// The preset file committed beside the DIANA searched-start report is the built-in
  /// `standard-searched`, field for field, so the sweep folders made with the file resume
  /// under the name, and the name's reproduce command gives the report's runs.
  @Test func theCommittedSearchedStartPresetFileIsTheBuiltIn() throws {
    let file = repositoryRoot.appendingPathComponent(
      "reports/diana-fashion-mnist-full-searched-ft/standard-searched.toml")
    #expect(try SearchPreset.load(contentsOf: file.path) == .standardSearched)
    #expect(SearchPreset.named("standard-searched")?.fineTuneFrom == .searched)
  }

  /// The preset a command asks for: its file parsed, or the named built-in with every
  /// option applied (through the option's preset-file key, as the CLI's options set fields).
  private static func parsed(_ asked: (arguments: [String], file: SearchPreset.PresetFile?)) throws -> SearchPreset {
    if let file = asked.file { return try SearchPreset.parse(file.text, file: file.name) }
    let name = asked.arguments[1]
    var lines = ["base = \"\(name)\"", "name = \"\(name)\""]
    for index in stride(from: 2, to: asked.arguments.count, by: 2) {
      let field = try #require(SearchPreset.fields.first { $0.option == asked.arguments[index] })
      lines.append("\(field.key) = \(asked.arguments[index + 1])")
    }
    return try SearchPreset.parse(lines.joined(separator: "\n"), file: "options.toml")
  }

  /// Whatever mix of fields differs, the command gives the preset back: as a built-in name
  /// with options, or as a preset file for fields no option sets.
  @Test func aPresetComesBackFromItsCommand() throws {
    var generator = SplitMix64(seed: 18)
    for trial in 0..<40 {
      var preset = [SearchPreset.quick, .standard, .paper][trial % 3]
      preset.name = trial % 2 == 0 ? "mine \"\(trial)\"" : preset.name
      if Bool.random(using: &generator) { preset.initialTemperature = Double.random(in: 0.5...5, using: &generator) }
      if Bool.random(using: &generator) { preset.finalTemperature = Double.random(in: 1e-4...0.05, using: &generator) }
      if Bool.random(using: &generator) { preset.fineTuneFrom = preset.fineTuneFrom == .warmup ? .searched : .warmup }
      if Bool.random(using: &generator) { preset.searchEpochs = Int.random(in: 1...9, using: &generator) }
      if Bool.random(using: &generator) { preset.learningRate = Double.random(in: 1e-3...0.5, using: &generator) }
      preset.patience = Bool.random(using: &generator) ? nil : Int.random(in: 1...9, using: &generator)
      let asked = try #require(preset.invocation(), "\(preset)")
      if let file = asked.file {
        #expect(asked.arguments == ["--preset", file.name] && file.name.hasSuffix(".toml"))
      } else {
        #expect(asked.arguments.count % 2 == 0)
      }
      #expect(try Self.parsed(asked) == preset, "\(asked)")
    }
  }

  /// No built-in leaves the folded learning rate unset, so a preset without one cannot be
  /// asked for again (and the report says so rather than print a wrong command).
  @Test func anUnsetFieldEveryBuiltInSetsCannotBeExpressed() {
    var preset = SearchPreset.standard
    preset.foldedLearningRate = nil
    #expect(preset.invocation() == nil)
  }

  @Test func theSweepCommandSpellsOutEveryDefiningOption() throws {
    var configuration = SearchConfiguration(
      soc: "darkside", model: "mobilenetv1", width: 0.5, data: "/data/fm 32.h5", metric: .energy, lambda: 0,
      seed: 7, preset: .standard, trainLimit: 800, initialSplit: "cluster", stemStride: 2, costGradient: .secant,
      precision: .bf16)
    configuration.preset.batchSize = 32
    let manifest = Sweep.Manifest(
      configuration: configuration, lambdas: [0, 0.1, 1e-6], baselines: ["all-cluster", "dws"], reference: true,
      gitCommit: "abc", autoPoints: 5)
    let invocation = try #require(manifest.invocation(folder: "/runs/it's here"))
    #expect(
      invocation.arguments == [
        "--soc", "darkside", "--model", "mobilenetv1", "--width", "0.5", "--stem-stride", "2", "--data",
        "/data/fm 32.h5", "--metric", "energy", "--train-limit", "800", "--init", "cluster", "--cost-gradient",
        "secant", "--precision", "bf16", "--preset", "standard", "--warmup-epochs", "5", "--search-epochs", "5",
        "--finetune-epochs", "5", "--batch", "32", "--lr", "0.05", "--folded-lr", "0.001", "--logit-lr", "0.01",
        "--lambda-ramp", "1", "--lambdas", "0,0.1,1e-06,auto:5",
        "--baselines",
        "all-cluster,dws", "--reference", "--seed", "7", "--out", "/runs/it's here",
      ])
    #expect(invocation.commandLine.contains("--data '/data/fm 32.h5'"))
    #expect(invocation.commandLine.hasSuffix("--out '/runs/it'\\''s here'"))
  }
}
