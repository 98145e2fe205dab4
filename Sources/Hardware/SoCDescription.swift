import Foundation
import TOMLKit

/// An SoC description file that cannot be used, with the file and where in it.
package struct SoCDescriptionError: Error, CustomStringConvertible, Sendable {
  package let file: String
  /// 1-based line and column, when known.
  package let line: Int?
  package let column: Int?
  package let message: String

  package var description: String {
    var place = file
    if let line { place += ":\(line)" }
    if let column { place += ":\(column)" }
    return "\(place): \(message)"
  }
}

/// A TOML number written as an integer or a float (`260` or `260.0`).
struct Number: Decodable {
  let value: Double
  init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    if let integer = try? container.decode(Int.self) {
      value = Double(integer)
    } else {
      value = try container.decode(Double.self)
    }
  }
}

/// The TOML form of an SoC (documented in `datasets/FORMATS.md`, section "SoC
/// description"). Every unit's `cycles` is an `Expression` over the layer geometry.
struct SoCFile: Decodable {
  struct Unit: Decodable {
    let name: String
    let operations: [String]
    let kernels: [Int]?
    let weights: String
    let activations: String
    let powerMilliwatts: Number?
    let clockMegahertz: Number?
    let cycles: String

    enum CodingKeys: String, CodingKey {
      case name, operations, kernels, weights, activations, cycles
      case powerMilliwatts = "power_mw"
      case clockMegahertz = "clock_mhz"
    }
  }
  struct PowerState: Decodable {
    let busy: [String]
    let mw: Number
  }
  struct Power: Decodable {
    let model: String
    let idleMilliwatts: Number?
    let states: [PowerState]?

    enum CodingKeys: String, CodingKey {
      case model, states
      case idleMilliwatts = "idle_mw"
    }
  }
  let name: String
  let summary: String?
  let clockMegahertz: Number
  let mappingStyle: String
  let referenceTemperature: Number?
  let constants: [String: Number]?
  let formulas: [String: String]?
  let units: [Unit]
  let power: Power?

  enum CodingKeys: String, CodingKey {
    case name, summary, constants, formulas, units, power
    case clockMegahertz = "clock_mhz"
    case mappingStyle = "mapping_style"
    case referenceTemperature = "reference_temperature"
  }
}

extension SoC {
  /// Reads an SoC description from a TOML file.
  package static func load(contentsOf path: String) throws -> SoC {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SoCDescriptionError(
        file: path, line: nil, column: nil, message: "cannot read the file (missing or unreadable)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw SoCDescriptionError(file: path, line: nil, column: nil, message: "not UTF-8 text; expected a TOML file")
    }
    return try parse(text, file: path)
  }

  /// Parses an SoC description; `file` names it in errors.
  package static func parse(_ text: String, file: String) throws -> SoC {
    let fail = { (message: String, line: Int?, column: Int?) in
      SoCDescriptionError(file: file, line: line, column: column, message: message)
    }
    let description: SoCFile
    do { description = try StrictTOML.decode(SoCFile.self, from: text) } catch {
      throw fail(error.message, error.line, error.column)
    }
    let locate = { (formula: String, offset: Int) -> (Int?, Int?) in
      locateFormula(formula, offset: offset, in: text)
    }
    guard description.clockMegahertz.value > 0, description.clockMegahertz.value.isFinite else {
      throw fail("clock_mhz must be a positive number of MHz, got \(description.clockMegahertz.value)", nil, nil)
    }
    guard let style = MappingStyle(rawValue: description.mappingStyle) else {
      throw fail(
        "mapping_style '\(description.mappingStyle)' is not one of shared-weights, alternative-operators", nil, nil)
    }
    guard !description.units.isEmpty else { throw fail("an SoC needs at least one [[units]] table", nil, nil) }
    let constants = (description.constants ?? [:]).mapValues(\.value)
    let definitions = try parseDefinitions(description.formulas ?? [:], constants: constants) { name, error in
      let (line, column) = locate(description.formulas?[name] ?? "", error.offset)
      return fail("formula '\(name)': \(error.message)", line, column)
    }
    var units: [ComputeUnit] = []
    for unit in description.units {
      guard !units.contains(where: { $0.name == unit.name }) else {
        throw fail("unit '\(unit.name)' is listed twice", nil, nil)
      }
      units.append(
        try parseUnit(
          unit, socClock: description.clockMegahertz.value, constants: constants, definitions: definitions,
          fail: fail, locate: locate))
    }
    let power = try parsePower(description.power, units: units) { fail($0, nil, nil) }
    return SoC(
      name: description.name, summary: description.summary ?? description.name,
      clockHz: description.clockMegahertz.value * 1e6,
      units: units, power: power, mappingStyle: style,
      referenceTemperature: description.referenceTemperature?.value ?? 1)
  }

  /// One `[[units]]` table: operations, formats, cycle formula (checked on probe layers),
  /// clock and power.
  private static func parseUnit(
    _ unit: SoCFile.Unit, socClock: Double, constants: [String: Double], definitions: [String: Expression],
    fail: (String, Int?, Int?) -> SoCDescriptionError, locate: (String, Int) -> (Int?, Int?)
  ) throws -> ComputeUnit {
    let operations = try Set(
      unit.operations.map { name -> OperatorKind in
        guard let kind = OperatorKind(rawValue: name) else {
          throw fail("unit '\(unit.name)': operation '\(name)' is not one of convolution, depthwise, linear", nil, nil)
        }
        return kind
      })
    guard let weights = NumberFormat(unit.weights), let activations = NumberFormat(unit.activations) else {
      throw fail(
        "unit '\(unit.name)': formats must look like int8, uint7, ternary or float32 "
          + "(weights '\(unit.weights)', activations '\(unit.activations)')", nil, nil)
    }
    let cycles: Expression
    do {
      cycles = try Expression(unit.cycles, constants: constants, definitions: definitions)
    } catch {
      let (line, column) = locate(unit.cycles, error.offset)
      throw fail("unit '\(unit.name)' cycles: \(error.message)", line, column)
    }
    if let clock = unit.clockMegahertz?.value, !(clock > 0 && clock.isFinite) {
      throw fail("unit '\(unit.name)': clock_mhz must be a positive number of MHz, got \(clock)", nil, nil)
    }
    if let power = unit.powerMilliwatts?.value, !(power >= 0 && power.isFinite) {
      throw fail("unit '\(unit.name)': power_mw must be a finite number ≥ 0, got \(power)", nil, nil)
    }
    if let problem = implausibleCycles(cycles, operations: operations) {
      let (line, column) = locate(unit.cycles, 0)
      throw fail("unit '\(unit.name)' cycles: \(problem)", line, column)
    }
    return ComputeUnit(
      name: unit.name, clockHz: (unit.clockMegahertz?.value ?? socClock) * 1e6,
      activePowerMilliwatts: unit.powerMilliwatts?.value, operations: operations, kernels: unit.kernels.map(Set.init),
      weightFormat: weights, activationFormat: activations, cycles: .expression(cycles))
  }

  /// Layer shapes a cycle formula is tried on when a description is read: a stem, 3×3,
  /// 1×1 and depthwise layers at several sizes, and a classifier.
  static let probeGeometries: [LayerGeometry] = [
    LayerGeometry(cIn: 3, cOut: 32, kX: 3, kY: 3, oX: 16, oY: 16, stride: 2),
    LayerGeometry(cIn: 64, cOut: 64, kX: 3, kY: 3, oX: 16, oY: 16),
    LayerGeometry(cIn: 512, cOut: 512, kX: 3, kY: 3, oX: 2, oY: 2),
    LayerGeometry(cIn: 128, cOut: 256, kX: 1, kY: 1, oX: 8, oY: 8),
    LayerGeometry(cIn: 64, cOut: 64, kX: 3, kY: 3, oX: 16, oY: 16, groups: 64),
    LayerGeometry(cIn: 1024, cOut: 1024, kX: 3, kY: 3, oX: 1, oY: 1, groups: 1024),
    LayerGeometry(kind: .linear, cIn: 640, cOut: 10, kX: 1, kY: 1, oX: 1, oY: 1),
  ]

  /// Why `cycles` cannot be a cycle count (non-finite or negative for a layer shape the
  /// unit runs, at 0, a fraction, one or all of its channels), or nil. Catches `ch / 0`,
  /// `ceildiv(ch, 0)`, `ch % 0` and formulas that go below zero before any search uses them.
  static func implausibleCycles(_ cycles: Expression, operations: Set<OperatorKind>) -> String? {
    for geometry in probeGeometries where operations.contains(geometry.kind) {
      for channels in [0, 0.5, 1, Double(geometry.cOut)] {
        for convention in [CostConvention.corrected, .reference] {
          let value = cycles.evaluate(
            geometry: geometry, channels: Dual(channels, derivative: 1), convention: convention)
          guard value.value.isFinite, value.derivative.isFinite, value.value >= 0 else {
            return "gives \(value.value) cycles (slope \(value.derivative)) for \(channels) channels of \(geometry); "
              + "expected a finite number ≥ 0 for every layer the unit runs"
          }
        }
      }
    }
    return nil
  }

  /// Parses named sub-formulas, each of which may use those parsed before it; the order
  /// is found by retrying, so files may list them in any order.
  private static func parseDefinitions(
    _ sources: [String: String], constants: [String: Double],
    error: (String, ExpressionError) -> SoCDescriptionError
  ) throws -> [String: Expression] {
    var parsed: [String: Expression] = [:]
    var pending = sources.keys.sorted()
    while !pending.isEmpty {
      var failures: [(String, ExpressionError)] = []
      for name in pending {
        do {
          parsed[name] = try Expression(sources[name] ?? "", constants: constants, definitions: parsed)
        } catch {
          failures.append((name, error))
        }
      }
      if failures.count == pending.count, let (name, failure) = failures.first {
        let waitsOnOther = failures.contains { f in pending.contains { f.1.message.contains("'\($0)'") } }
        throw error(
          name, waitsOnOther ? ExpressionError(message: "formulas refer to each other in a cycle", offset: 0) : failure)
      }
      pending = failures.map(\.0)
    }
    return parsed
  }

  private static func parsePower(_ power: SoCFile.Power?, units: [ComputeUnit], fail: (String) -> SoCDescriptionError)
    throws -> PowerModel
  {
    guard let power else { return .unknown }
    switch power.model {
    case "per-unit":
      guard let idle = power.idleMilliwatts?.value else { throw fail("[power] model per-unit needs idle_mw") }
      guard idle >= 0, idle.isFinite else { throw fail("[power] idle_mw must be a finite number ≥ 0, got \(idle)") }
      if let unit = units.first(where: { $0.activePowerMilliwatts == nil }) {
        throw fail("[power] model per-unit needs power_mw on every unit; '\(unit.name)' has none")
      }
      return .perUnit(idleMilliwatts: idle)
    case "busy-sets":
      var table: [[Int]: Double] = [:]
      for state in power.states ?? [] {
        let indices = try state.busy.map { name -> Int in
          guard let index = units.firstIndex(where: { $0.name == name }) else {
            throw fail("[[power.states]] names unknown unit '\(name)'")
          }
          return index
        }.sorted()
        guard state.mw.value >= 0, state.mw.value.isFinite else {
          throw fail("[[power.states]] mw must be a finite number ≥ 0, got \(state.mw.value)")
        }
        table[indices] = state.mw.value
      }
      for mask in 1..<(1 << units.count) {
        let subset = units.indices.filter { mask & (1 << $0) != 0 }
        guard table[subset] != nil else {
          throw fail(
            "[[power.states]] lacks the power while exactly {\(subset.map { units[$0].name }.joined(separator: ", "))} are busy"
          )
        }
      }
      return .busySets(table)
    default:
      throw fail("[power] model '\(power.model)' is not one of busy-sets, per-unit")
    }
  }

  /// The 1-based line and column of character `offset` of `formula` in the TOML text
  /// (the first place the formula appears as a string).
  static func locateFormula(_ formula: String, offset: Int, in text: String) -> (Int?, Int?) {
    guard !formula.isEmpty else { return (nil, nil) }
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      if let range = line.range(of: formula) {
        return (number + 1, line.distance(from: line.startIndex, to: range.lowerBound) + offset + 1)
      }
    }
    return (nil, nil)
  }
}

/// The SoCs odimo knows by name, and description files.
package enum SoCCatalogue {
  package static let builtins: [SoC] = [.diana, .darkside, .naive]

  /// The SoC description files shipped with odimo (DIANA and Darkside written in the
  /// description language, and a three-unit example).
  package static var shippedDescriptions: [String: URL] {
    var found: [String: URL] = [:]
    guard let folder = Bundle.module.resourceURL?.appendingPathComponent("Descriptions"),
      let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path)
    else { return found }
    for name in names where name.hasSuffix(".toml") {
      found[String(name.dropLast(5))] = folder.appendingPathComponent(name)
    }
    return found
  }

  /// The description file `nameOrPath` names: a shipped description by stem ("trio") or
  /// file name ("diana.toml") unless a file of that name exists where the user is, else the
  /// path itself if it looks like one; nil for other names (built-ins, typos).
  package static func descriptionPath(_ nameOrPath: String) -> String? {
    let shipped = shippedDescriptions
    if !FileManager.default.fileExists(atPath: nameOrPath),
      let url = shipped[nameOrPath] ?? shipped[String(nameOrPath.dropLast(5))],
      nameOrPath.hasSuffix(".toml") || shipped[nameOrPath] != nil
    {
      return url.path
    }
    if nameOrPath.hasSuffix(".toml") || FileManager.default.fileExists(atPath: nameOrPath) { return nameOrPath }
    return nil
  }

  /// The text that defines the SoC `nameOrPath` names: its description file's TOML, or
  /// `builtin <name>` for an SoC compiled into odimo. At most 60,000 bytes (run files keep it
  /// in an HDF5 attribute, which holds 64 KiB).
  package static func descriptionText(_ nameOrPath: String) throws -> String {
    if builtins.contains(where: { $0.name == nameOrPath.lowercased() }) { return "builtin \(nameOrPath.lowercased())" }
    let path = descriptionPath(nameOrPath) ?? nameOrPath
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
      throw SoCDescriptionError(file: path, line: nil, column: nil, message: "cannot read it as UTF-8 TOML text")
    }
    guard data.count <= 60_000 else {
      throw SoCDescriptionError(
        file: path, line: nil, column: nil, message: "\(data.count) bytes; odimo keeps descriptions of at most 60,000")
    }
    return text
  }

  /// The SoC a `descriptionText` defines (`file` names it in errors).
  package static func soc(fromDescription text: String, file: String) throws -> SoC {
    if text.hasPrefix("builtin "), let builtin = builtins.first(where: { "builtin \($0.name)" == text }) {
      return builtin
    }
    return try SoC.parse(text, file: file)
  }

  /// A built-in SoC by name, a shipped description by name, or a TOML file by path.
  package static func soc(_ nameOrPath: String) throws -> SoC {
    if let builtin = builtins.first(where: { $0.name == nameOrPath.lowercased() }) { return builtin }
    let shipped = shippedDescriptions
    if let path = descriptionPath(nameOrPath) { return try SoC.load(contentsOf: path) }
    throw SoCDescriptionError(
      file: nameOrPath, line: nil, column: nil,
      message:
        "no such SoC; expected one of \((builtins.map(\.name) + shipped.keys.sorted().map { $0 + ".toml" }).joined(separator: ", ")) "
        + "or the path of a .toml description")
  }
}
