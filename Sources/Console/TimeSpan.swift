/// Durations as people read them in progress lines.
package enum TimeSpan {
  /// "47 s", "4 min 07 s", "2 h 05 min"; "?" for a non-finite or negative time.
  package static func text(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0, seconds < 1e9 else { return "?" }
    let whole = Int(seconds.rounded())
    if whole < 60 { return "\(whole) s" }
    if whole < 3600 { return "\(whole / 60) min \(pad(whole % 60)) s" }
    return "\(whole / 3600) h \(pad((whole % 3600) / 60)) min"
  }

  private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
