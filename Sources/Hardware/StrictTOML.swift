import TOMLKit

/// Decodes TOML description files strictly (unknown keys refused) and turns TOMLKit's
/// errors into one message with a position where there is one: the single place SoC
/// descriptions and preset files are parsed.
public enum StrictTOML {
  /// What went wrong, and where when the parser knows (1-based).
  public struct Failure: Error, Sendable {
    public let message: String
    public let line: Int?
    public let column: Int?
  }

  public static func decode<T: Decodable>(_ type: T.Type, from text: String) throws(Failure) -> T {
    do {
      var decoder = TOMLDecoder()
      decoder.strictDecoding = true
      return try decoder.decode(type, from: text)
    } catch let error as TOMLParseError {
      throw Failure(message: error.description, line: error.source.begin.line, column: error.source.begin.column)
    } catch let error as UnexpectedKeysError {
      let keys = error.keys.values.map { $0.map(\.stringValue).joined(separator: ".") }.sorted()
      throw Failure(
        message: "unknown key\(keys.count == 1 ? "" : "s") \(keys.joined(separator: ", "))", line: nil, column: nil)
    } catch let error as DecodingError {
      throw Failure(message: message(error), line: nil, column: nil)
    } catch {
      throw Failure(message: "\(error)", line: nil, column: nil)
    }
  }

  /// A decoding error as "path: expected Type" or "missing key 'k' in path".
  static func message(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: ["."])
    }
    switch error {
    case .keyNotFound(let key, let context):
      let parent = path(
        context.codingPath.last?.stringValue == key.stringValue ? context.codingPath.dropLast() : context.codingPath)
      return "missing key '\(key.stringValue)'" + (parent.isEmpty ? "" : " in \(parent)")
    case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
      return "\(path(context.codingPath)): expected \(type)"
    case .dataCorrupted(let context):
      return "\(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
      return String(describing: error)
    }
  }
}
