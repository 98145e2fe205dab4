import ArgumentParser
import HDF5

struct Inspect: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show the groups, datasets and attributes of an HDF5 file.",
    discussion: """
      Lists every object depth-first with its shape, element type, chunk shape and \
      filters, and every attribute with its value (long arrays abbreviated in the text \
      form, complete in --json). Works on any HDF5 file: odimo's datasets, checkpoints \
      and run files, or files written by h5py.

      Example: odimo inspect datasets/fashion-mnist.h5 --json
      """
  )

  @Argument(help: "The HDF5 file to inspect.")
  var file: String

  @Flag(help: "Print a JSON array of {path, kind, shape, dtype, chunks, filters, attributes}.")
  var json = false

  @Option(help: "Show at most this many elements of an array attribute in the text form.")
  var maxElements = 8

  func run() throws {
    try reportingErrors {
      let h5 = try HDF5File.open(file)
      defer { h5.close() }
      let objects = try h5.walk()
      if json {
        try printJSON(objects.map(InspectedObject.init), snakeCaseKeys: false)
      } else {
        for object in objects { print(render(object)) }
      }
    }
  }

  private func render(_ object: ObjectInfo) -> String {
    let depth = object.path == "/" ? 0 : object.path.split(separator: "/").count
    let indent = String(repeating: "  ", count: depth)
    let name = object.path == "/" ? "/" : String(object.path.split(separator: "/").last ?? "")
    var line: String
    switch object.kind {
    case .group:
      line = object.path == "/" ? "/" : "\(indent)\(name)/"
    case .dataset:
      let shape = (object.shape ?? []).map(String.init).joined(separator: " × ")
      line = "\(indent)\(name)  \(object.dtype ?? "?") [\(shape.isEmpty ? "scalar" : shape)]"
      if let chunks = object.chunks { line += "  chunks \(chunks.map(String.init).joined(separator: "×"))" }
      if object.maxShape?.first == .some(nil) { line += "  extendable" }
      if !object.filters.isEmpty { line += "  " + object.filters.joined(separator: "+") }
    }
    for (key, value) in object.attributes {
      line += "\n\(indent)  @\(key) = \(abbreviated(value))"
    }
    return line
  }

  private func abbreviated(_ value: AttributeValue) -> String {
    func cut<T>(_ values: [T], _ show: (T) -> String) -> String {
      let shown = values.prefix(maxElements).map(show).joined(separator: ", ")
      let more = values.count > maxElements ? ", … (\(values.count) total)" : ""
      return "[\(shown)\(more)]"
    }
    switch value {
    case .ints(let values): return cut(values) { String($0) }
    case .doubles(let values): return cut(values) { String($0) }
    case .strings(let values): return cut(values) { "\"\($0)\"" }
    case .string(let text) where text.count > 200: return "\"\(text.prefix(200))…\" (\(text.count) characters)"
    default: return value.description
    }
  }
}

/// The JSON form of one object in `odimo inspect --json`.
struct InspectedObject: Encodable {
  let path: String
  let kind: String
  let shape: [Int]?
  let dtype: String?
  let chunks: [Int]?
  let filters: [String]?
  let attributes: [String: AttributeValue]

  init(_ info: ObjectInfo) {
    path = info.path
    kind = info.kind.rawValue
    shape = info.shape
    dtype = info.dtype
    chunks = info.chunks
    filters = info.kind == .dataset ? info.filters : nil
    attributes = Dictionary(info.attributes.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
  }
}
