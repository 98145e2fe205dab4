/// Why a network cannot be exported, with the data a message needs.
package enum ExportError: Error, CustomStringConvertible, Sendable, Equatable {
  /// No file at the path given.
  case missingFile(String)
  /// The file is neither an odimo checkpoint nor an odimo run file.
  case unknownFile(file: String, format: String?)
  /// The run's mapping has no assignment for a layer of the cost model's plan.
  case mappingLacksLayer(file: String, layer: String)
  /// The mapping names a unit the SoC does not have.
  case unknownUnit(file: String, layer: String, soc: String)
  /// A parameter or buffer the graph needs is not in the file.
  case missingValue(file: String, name: String)
  /// A layer the export cannot split per unit (a grouped, non-depthwise convolution).
  case unsplittable(layer: String, reason: String)
  /// A reference batch asked of a file that does not say which dataset it was trained on.
  case unknownDataset(file: String)
  /// An option that needs a mapping, given a file without one (a checkpoint).
  case needsMapping(file: String, option: String)

  package var description: String {
    switch self {
    case .missingFile(let file): "\(file): no such file (expected an odimo checkpoint or run file)"
    case .unknownFile(let file, let format):
      "\(file): not an odimo checkpoint or run file (format attribute is \(format.map { "'\($0)'" } ?? "absent"); "
        + "expected 'odimo-checkpoint' or 'odimo-run')"
    case .mappingLacksLayer(let file, let layer): "\(file): the mapping has no channels for layer \(layer)"
    case .unknownUnit(let file, let layer, let soc): "\(file): layer \(layer) is mapped to a unit \(soc) does not have"
    case .missingValue(let file, let name): "\(file): no tensor \(name), which the exported graph needs"
    case .unsplittable(let layer, let reason): "cannot split layer \(layer) by unit: \(reason)"
    case .unknownDataset(let file):
      "\(file) does not record a dataset this odimo can read; give one with --data for --reference"
    case .needsMapping(let file, let option):
      "\(file) is a checkpoint, which has no mapping; \(option) needs a run file (odimo search, sweep or baselines)"
    }
  }
}
