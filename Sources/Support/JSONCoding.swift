import Foundation

/// "key: saved X, now Y" for every value that differs between two JSON objects (resume
/// checks), nested keys dotted ("preset.fine_tune_from") and in sorted order, so a message
/// names only what changed and reads the same in every process.
package func configurationDifferences(saved: String, now: String) -> String {
  func parse(_ text: String) -> Any? {
    try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
  }
  func text(_ value: Any?) -> String {
    guard let value else { return "absent" }
    if let string = value as? String { return string }
    guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    else { return "\(value)" }
    return String(decoding: data, as: UTF8.self)
  }
  func differences(_ old: Any?, _ new: Any?, at path: String) -> [String] {
    if let old = old as? [String: Any], let new = new as? [String: Any] {
      return Set(old.keys).union(new.keys).sorted().flatMap { key in
        differences(old[key], new[key], at: path.isEmpty ? key : "\(path).\(key)")
      }
    }
    let (a, b) = (text(old), text(new))
    return a == b ? [] : ["\(path.isEmpty ? "configuration" : path): saved \(a), now \(b)"]
  }
  let changed = differences(parse(saved), parse(now), at: "")
  return changed.isEmpty ? "(formatting only)" : changed.joined(separator: "; ")
}

extension JSONEncoder {
  /// An encoder with sorted snake_case keys, so the same value always gives the same
  /// text and Python readers see their naming convention.
  package static var sorted: JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return encoder
  }
}

extension JSONDecoder {
  /// The decoder matching `JSONEncoder.sorted`.
  package static var snakeCase: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return decoder
  }
}
