import Foundation

/// "key: saved X, now Y" for every top-level key whose JSON value differs (resume checks).
package func configurationDifferences(saved: String, now: String) -> String {
  func object(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
  }
  let (old, new) = (object(saved), object(now))
  let keys = Set(old.keys).union(new.keys).sorted()
  let changed = keys.compactMap { key -> String? in
    let a = old[key].map { "\($0)" } ?? "absent"
    let b = new[key].map { "\($0)" } ?? "absent"
    return a == b ? nil : "\(key): saved \(a), now \(b)"
  }
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
