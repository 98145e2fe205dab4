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
      #expect(asked.arguments == ["--preset", preset.name] && asked.file == nil)
    }
    var changed = SearchPreset.standard
    changed.batchSize = 64
    changed.patience = 3
    changed.logitLearningRate = 1e-05
    let asked = try #require(changed.invocation())
    #expect(asked.file == nil)
    #expect(asked.arguments == ["--preset", "standard", "--batch", "64", "--logit-lr", "1e-05", "--patience", "3"])
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

  /// Fields no option sets go into a preset file; parsing that file gives the preset back,
  /// whatever mix of fields differs.
  @Test func aPresetFileParsesBackToThePreset() throws {
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
      if let spelled = preset.invocation(spelledOut: true)?.file {
        #expect(try SearchPreset.parse(spelled.text, file: spelled.name) == preset, "\(spelled.text)")
      }
      let asked = try #require(preset.invocation(), "\(preset)")
      let parsed: SearchPreset
      if let file = asked.file {
        #expect(asked.arguments == ["--preset", file.name] && file.name.hasSuffix(".toml"))
        parsed = try SearchPreset.parse(file.text, file: file.name)
      } else {
        parsed = try #require(SearchPreset.named(asked.arguments[1]))
        #expect(asked.arguments.count % 2 == 0)
        // Built-in name plus options: only the option-set fields may differ.
        #expect(preset.differences(from: parsed)?.allSatisfy { $0.field.option != nil } == true)
        continue
      }
      #expect(parsed == preset, "\(asked.file?.text ?? "")")
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
