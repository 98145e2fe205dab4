import Foundation

/// A one-line progress bar on stderr with rate and time left, one line per phase (an
/// epoch): the line is redrawn in place while the phase lasts, and the rate and time
/// left restart with each phase. Silent when stderr is not a terminal (logs, CI) unless
/// forced, and thread-safe.
final class ProgressBar: @unchecked Sendable {
  private let unit: String
  private let enabled: Bool
  private let lock = NSLock()
  private var start = Date()
  private var lastDraw = Date.distantPast
  private var lastPhase = ""

  init(unit: String, enabled: Bool = isatty(2) != 0) {
    self.unit = unit
    self.enabled = enabled
  }

  /// Shows `done` of `total` (in `unit`s) for `phase`, with `detail` (metrics that change
  /// every step) after it; a new `phase` starts a new line and a new clock.
  func update(phase: String, detail: String = "", done: Int, total: Int) {
    guard enabled else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = Date()
    guard done >= total || phase != lastPhase || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
    lastDraw = now
    if phase != lastPhase {
      if !lastPhase.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
      start = now
    }
    lastPhase = phase
    let fraction = total > 0 ? Double(done) / Double(total) : 1
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar =
      String(repeating: "=", count: filled) + (filled < width ? ">" : "")
      + String(repeating: " ", count: max(0, width - filled - 1))
    let elapsed = now.timeIntervalSince(start)
    let rate = elapsed > 0 ? Double(done) / elapsed : 0
    let remaining = rate > 0 ? Double(total - done) / rate : 0
    let line = String(
      format: "\r%@ [%@] %d/%d %@s  %.1f %@/s  %@ left  %@ ", phase, bar, done, total, unit, rate, unit,
      Self.duration(remaining), detail)
    FileHandle.standardError.write(Data(line.utf8))
  }

  /// Ends the bar's line.
  func finish() {
    guard enabled, !lastPhase.isEmpty else { return }
    lock.lock()
    defer { lock.unlock() }
    FileHandle.standardError.write(Data("\n".utf8))
    lastPhase = ""
  }

  static func duration(_ seconds: Double) -> String {
    let whole = Int(seconds.rounded())
    return whole >= 3600
      ? "\(whole / 3600)h\(whole % 3600 / 60)m" : whole >= 60 ? "\(whole / 60)m\(whole % 60)s" : "\(whole)s"
  }
}
