/// Why a report could not be written or audited, with the data a message needs.
package enum ReportError: Error, CustomStringConvertible, Sendable, Equatable {
  /// `odimo report` was given nothing to report on.
  case noSources
  /// A source that is neither a sweep folder nor a run file.
  case missingSource(String)
  /// No complete run among the sources.
  case nothingToReport([String])
  /// Two runs that differ in more than λ and seed (their paths and the differences).
  case incomparableRuns(String, String, differences: String)
  /// The same point (name and seed) given twice.
  case duplicateRun(file: String, name: String, seed: UInt64)
  /// A report citing a file outside its folder, audited without `--allow-outside`.
  case outsideReport(String)
  /// A report file the audit cannot read, and why.
  case report(file: String, problem: String)
  /// A report folder without an evidence bundle (`odimo report --bundle` writes one).
  case noEvidence(folder: String)
  /// A file `odimo evidence extract` would write exists already (it is never replaced).
  case extractionTarget(String)
  /// A claims file (`odimo audit --claims`) that cannot be used, and why.
  case claimsFile(file: String, problem: String)
  /// A claim naming a layer the model lacks (the model's layers listed).
  case unknownLayer(claim: String, layer: String, model: String, layers: [String])
  /// A claim's channel counts for a layer that are not one non-negative count per unit
  /// summing to the layer's channels.
  case badChannelCounts(claim: String, layer: String, units: [String], channels: Int, got: [Int])

  package var description: String {
    switch self {
    case .noSources: "give a sweep folder or run files to report on"
    case .missingSource(let source): "\(source): no such sweep folder or run file"
    case .nothingToReport(let sources):
      "nothing to report: no complete run was found" + (sources.isEmpty ? "" : " in \(sources)")
    case .incomparableRuns(let run, let other, let differences):
      "\(run) and \(other) differ in more than λ and seed (\(differences)); one report compares runs of one configuration"
    case .duplicateRun(let file, let name, let seed): "\(file): \(name) with seed \(seed) is given twice"
    case .outsideReport(let path):
      "\(path) lies outside the report's folder; audit with --allow-outside to open it (or from an evidence "
        + "bundle: odimo report --bundle)"
    case .report(let file, let problem): "\(file): \(problem)"
    case .noEvidence(let folder):
      "\(folder): no evidence bundle (evidence.h5) with files in it; odimo report --bundle writes one"
    case .extractionTarget(let path): "\(path) exists already; extract into an empty folder (nothing is replaced)"
    case .claimsFile(let file, let problem): "\(file): \(problem)"
    case .unknownLayer(let claim, let layer, let model, let layers):
      "claim '\(claim)': no layer '\(layer)' in \(model) (layers: \(layers.joined(separator: ", ")))"
    case .badChannelCounts(let claim, let layer, let units, let channels, let got):
      "claim '\(claim)': layer '\(layer)' needs \(units.count) non-negative counts (units "
        + "\(units.joined(separator: ", "))) summing to its \(channels) channels, got \(got)"
    }
  }
}
