import Foundation
import Hardware

extension Sweep.Manifest {
  /// The `odimo sweep run` command that asks for this sweep again.
  package struct Invocation: Sendable, Equatable {
    /// The arguments after `odimo sweep run`.
    package var arguments: [String]
    /// A preset file the arguments name, to write before running them (nil: a built-in
    /// preset and options express it).
    package var presetFile: SearchPreset.PresetFile?

    /// The command as one shell line, each argument quoted where a shell would split or expand it.
    package var commandLine: String {
      (["odimo", "sweep", "run"] + arguments).map(Self.shellQuoted).joined(separator: " ")
    }

    package static func shellQuoted(_ argument: String) -> String {
      let plain = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:,=+@%")
      guard argument.isEmpty || !argument.unicodeScalars.allSatisfy(plain.contains) else { return argument }
      return "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
  }

  /// The command that recreates this sweep's jobs in `folder` — pointed at the sweep's own
  /// folder it is accepted as the same sweep (nothing left to run), anywhere else it runs
  /// the sweep again. Every option that defines the sweep is spelled out, defaults included
  /// where a later version might change them (the cost gradient, the precision, the metric,
  /// every preset field an option sets);
  /// filling's added λ values come back from `auto:N`. Nil when the preset cannot be
  /// expressed (`SearchPreset.invocation`).
  package func invocation(folder: String) -> Invocation? {
    let configuration = configuration
    guard let preset = configuration.preset.invocation() else { return nil }
    var arguments = ["--soc", configuration.soc, "--model", configuration.model]
    if configuration.width != 1 { arguments += ["--width", "\(configuration.width)"] }
    if let stride = configuration.stemStride { arguments += ["--stem-stride", "\(stride)"] }
    arguments += ["--data", configuration.data, "--metric", configuration.metric.rawValue]
    if configuration.lambdaScale != "normalized" { arguments += ["--lambda-scale", configuration.lambdaScale] }
    if let limit = configuration.trainLimit { arguments += ["--train-limit", "\(limit)"] }
    if configuration.initialSplit != "half" { arguments += ["--init", configuration.initialSplit] }
    if configuration.warmup != .float { arguments += ["--warmup", configuration.warmup.rawValue] }
    arguments += [
      "--cost-gradient", configuration.costGradient.rawValue, "--precision", configuration.precision.rawValue,
    ]
    arguments += preset.arguments
    let grid = lambdas.map(RunFile.format) + (autoPoints.map { ["auto:\($0)"] } ?? [])
    arguments += ["--lambdas", grid.joined(separator: ",")]
    if !baselines.isEmpty { arguments += ["--baselines", baselines.joined(separator: ",")] }
    if reference { arguments.append("--reference") }
    arguments += ["--seed", "\(configuration.seed)", "--out", folder]
    return Invocation(arguments: arguments, presetFile: preset.file)
  }
}
