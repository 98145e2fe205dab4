import Foundation
import HDF5
import Models
import Support

/// Mapping files: JSON (`.json`) for people and scripts, or the `/mapping` group of an
/// HDF5 run file. Both layouts are documented in datasets/FORMATS.md.
extension Mapping {
  package static let formatName = "odimo-mapping"
  package static let formatVersion = 1

  private struct JSONForm: Codable {
    var format: String
    var formatVersion: Int
    var name: String
    var soc: String
    var model: String
    var units: [String]
    var replacesBlocks: Bool
    /// Per layer: name and, for each output channel, the index of its unit.
    var layers: [JSONLayer]
  }

  private struct JSONLayer: Codable {
    var name: String
    var units: [Int]
  }

  /// The mapping as JSON text.
  package func jsonData() throws -> Data {
    let form = JSONForm(
      format: Self.formatName, formatVersion: Self.formatVersion, name: name, soc: soc, model: model, units: units,
      replacesBlocks: replacesBlocks, layers: layers.map { JSONLayer(name: $0.name, units: $0.units) })
    return try JSONEncoder.sorted.encode(form)
  }

  /// Writes the mapping to `path` (JSON or HDF5 by extension) without ever leaving a
  /// partial file there.
  package func save(to path: String) throws {
    if path.hasSuffix(".json") {
      try SafeWrite.write(try jsonData(), to: path)
    } else {
      try SafeWrite.hdf5(path) { file in
        try write(to: file)
      }
    }
  }

  /// Writes the mapping into the `group` of an open HDF5 file.
  package func write(to file: HDF5File, group: String = "/mapping") throws {
    try file.createGroup(group)
    try file.setAttribute("format", .string(Self.formatName), at: group)
    try file.setAttribute("format_version", .int(Int64(Self.formatVersion)), at: group)
    try file.setAttribute("name", .string(name), at: group)
    try file.setAttribute("soc", .string(soc), at: group)
    try file.setAttribute("model", .string(model), at: group)
    try file.setAttribute("units", .strings(units), at: group)
    try file.setAttribute("replaces_blocks", .int(replacesBlocks ? 1 : 0), at: group)
    try file.setAttribute("layer_order", .strings(layers.map(\.name)), at: group)
    for layer in layers {
      try file.write(layer.units.map { Int32($0) }, to: "\(group)/layers/\(layer.name)", options: .archived())
    }
  }

  /// Reads a mapping file: JSON, or an HDF5 file with a `/mapping` group (run files).
  package static func load(_ path: String) throws -> Mapping {
    guard FileManager.default.fileExists(atPath: path) else {
      throw MappingMismatch(description: "\(path): no such mapping file")
    }
    if path.hasSuffix(".json") {
      guard let data = FileManager.default.contents(atPath: path) else {
        throw MappingMismatch(description: "\(path): cannot read the file")
      }
      let form: JSONForm
      do {
        form = try JSONDecoder.snakeCase.decode(JSONForm.self, from: data)
      } catch {
        throw MappingMismatch(description: "\(path): not an odimo mapping JSON file (\(error))")
      }
      guard form.format == formatName else {
        throw MappingMismatch(description: "\(path): format is '\(form.format)', expected '\(formatName)'")
      }
      // Files from a later odimo may mean something this one cannot read correctly.
      guard (1...formatVersion).contains(form.formatVersion) else {
        throw MappingMismatch(
          description: "\(path): format_version is \(form.formatVersion); this odimo reads 1…\(formatVersion)")
      }
      return try checked(
        Mapping(
          name: form.name, soc: form.soc, model: form.model, units: form.units, replacesBlocks: form.replacesBlocks,
          layers: form.layers.map { LayerAssignment(name: $0.name, units: $0.units) }), path: path)
    }
    let file = try HDF5File.open(path)
    defer { file.close() }
    return try read(from: file)
  }

  /// Reads the mapping stored in `group` of an open HDF5 file.
  package static func read(from file: HDF5File, group: String = "/mapping") throws -> Mapping {
    guard file.contains(group) else {
      throw MappingMismatch(description: "\(file.path): no \(group) group; expected a run or mapping file from odimo")
    }
    func text(_ key: String) throws -> String {
      guard let value = try file.attribute(key, at: group).stringValue else {
        throw MappingMismatch(description: "\(file.path): \(group) attribute '\(key)' is not a string")
      }
      return value
    }
    guard try text("format") == formatName else {
      throw MappingMismatch(description: "\(file.path): \(group) is not an odimo mapping")
    }
    let order = try file.attribute("layer_order", at: group).stringsValue ?? []
    let layers = try order.map { name in
      LayerAssignment(name: name, units: try file.read("\(group)/layers/\(name)", as: Int32.self).map { Int($0) })
    }
    return try checked(
      Mapping(
        name: try text("name"), soc: try text("soc"), model: try text("model"),
        units: try file.attribute("units", at: group).stringsValue ?? [],
        replacesBlocks: try file.attribute("replaces_blocks", at: group).intValue == 1, layers: layers),
      path: file.path)
  }

  /// `mapping` unless a layer appears twice (which one would count is undefined).
  private static func checked(_ mapping: Mapping, path: String) throws -> Mapping {
    var seen: Set<String> = []
    for layer in mapping.layers where !seen.insert(layer.name).inserted {
      throw MappingMismatch(description: "\(path): layer '\(layer.name)' is listed twice; expected each layer once")
    }
    return mapping
  }
}
