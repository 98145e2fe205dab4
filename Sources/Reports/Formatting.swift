import Foundation

/// How every number appears in a report — one definition, used both to write a report
/// and to audit it, so a confirmed claim is one whose recomputed value prints the same.
package enum Formatting {
  /// Accuracy (0–1) as a percentage with two decimals: "84.07".
  package static func accuracy(_ value: Double) -> String { String(format: "%.2f", value * 100) }

  /// Cycles as an integer with thousands separators: "219,131".
  package static func cycles(_ value: Double) -> String { grouped(Int64(value.rounded())) }

  /// Milliseconds with three decimals: "0.843".
  package static func milliseconds(_ value: Double) -> String { String(format: "%.3f", value) }

  /// Microjoules with two decimals: "21.04".
  package static func microjoules(_ value: Double) -> String { String(format: "%.2f", value) }

  /// A 0–1 interval in percent, two decimals: "83.34–84.78".
  package static func interval(_ bounds: (low: Double, high: Double)) -> String {
    "\(accuracy(bounds.low))–\(accuracy(bounds.high))"
  }

  /// A gain factor with two decimals: "2.82".
  package static func ratio(_ value: Double) -> String { String(format: "%.2f", value) }

  /// "1,234,567".
  package static func grouped(_ value: Int64) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (index, character) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { result.append(",") }
      result.append(character)
    }
    return value < 0 ? "-" + result : result
  }

  /// Parses a number as printed by this type (commas, %, ×, units and ** removed); nil if none.
  package static func number(_ text: String) -> Double? {
    let cleaned = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "**", with: "")
      .replacingOccurrences(of: "×", with: "").replacingOccurrences(of: "%", with: "")
      .trimmingCharacters(in: .whitespaces)
    return Double(cleaned)
  }
}
