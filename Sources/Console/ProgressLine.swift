import Foundation

/// The one progress display of every long command (train, search, sweep, baselines, data
/// import). On a terminal, each phase (an epoch) is a single line redrawn in place with its
/// bar, images/s, metrics, elapsed time and the ETA of the epoch and of the whole run; a
/// finished epoch leaves one permanent line. In a log (stderr not a terminal), only the
/// permanent lines appear: one per epoch or stage, ISO-timestamped, with the ETA. Quiet
/// prints nothing. Thread-safe; the clock and the output are injectable for tests.
package final class ProgressLine: @unchecked Sendable {
  /// How the display behaves.
  package enum Mode: Sendable {
    /// A terminal: redrawn step lines plus permanent epoch lines.
    case terminal
    /// A log file or pipe: permanent, timestamped lines only.
    case log
    /// Nothing at all (`--quiet`).
    case quiet

    /// Terminal when stderr is one, else log; quiet when asked.
    package static func standardError(quiet: Bool) -> Mode {
      quiet ? .quiet : isatty(2) != 0 ? .terminal : .log
    }
  }

  /// Where a phase of a run stands after a step.
  package struct Step: Sendable {
    /// The phase's name ("warmup", "search", "train", a split being imported …).
    package var phase: String
    /// 1-based epoch over the whole run and the run's epoch count (nil: one-phase work).
    package var epoch: Int?
    package var epochs: Int?
    /// Work done in this epoch and its total, in `unit`s.
    package var done: Int
    package var total: Int
    package var unit: String
    /// Images per second over the epoch so far (nil: not shown).
    package var imagesPerSecond: Double?
    /// Metrics that change every step ("loss 0.4312 acc 85.10%").
    package var metrics: String

    package init(
      phase: String, epoch: Int? = nil, epochs: Int? = nil, done: Int, total: Int, unit: String = "batches",
      imagesPerSecond: Double? = nil, metrics: String = ""
    ) {
      self.phase = phase
      self.epoch = epoch
      self.epochs = epochs
      self.done = done
      self.total = total
      self.unit = unit
      self.imagesPerSecond = imagesPerSecond
      self.metrics = metrics
    }
  }

  package let mode: Mode
  private let clock: @Sendable () -> Date
  private let write: @Sendable (String) -> Void
  private let lock = NSLock()
  private var phaseKey = ""
  private var phaseStart = Date.distantPast
  /// Work already done when the phase's clock started (its first report).
  private var phaseStartDone = 0
  private var lastDraw = Date.distantPast
  private var drawn = false

  /// A display in `mode`, reading time from `clock` and writing to `write` (stderr by default).
  package init(
    mode: Mode, clock: @escaping @Sendable () -> Date = { Date() },
    write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }
  ) {
    self.mode = mode
    self.clock = clock
    self.write = write
  }

  /// Reports a step: on a terminal the phase's line is redrawn (at most 10 times a second,
  /// always on the last step); a new phase or epoch restarts the line's clock.
  package func step(_ step: Step) {
    guard mode == .terminal else { return }
    lock.lock()
    defer { lock.unlock() }
    let now = clock()
    let key = "\(step.phase) \(step.epoch ?? 0)"
    if key != phaseKey {
      phaseKey = key
      phaseStart = now
      phaseStartDone = step.done
    } else if step.done < step.total && now.timeIntervalSince(lastDraw) < 0.1 {
      return
    }
    lastDraw = now
    drawn = true
    write("\r\u{1B}[K" + Self.stepText(step, since: phaseStartDone, elapsed: now.timeIntervalSince(phaseStart)))
  }

  /// A finished epoch: `text` (the epoch's metrics) as a permanent line, timestamped, with
  /// the epoch's wall time and the run's ETA when `seconds` and the epoch counts are known.
  package func epoch(_ text: String, epoch: Int, epochs: Int?, seconds: Double?) {
    line(text + Self.timing(seconds: seconds, epoch: epoch, epochs: epochs))
  }

  /// A permanent, timestamped line (a sweep's stage, a resumed run, …).
  package func line(_ text: String) {
    guard mode != .quiet else { return }
    lock.lock()
    defer { lock.unlock() }
    let clear = drawn ? "\r\u{1B}[K" : ""
    drawn = false
    phaseKey = ""
    write(clear + "[\(Self.timestamp(clock()))] \(text)\n")
  }

  /// Ends a redrawn line without a permanent one (work that stops mid-phase).
  package func finish() {
    guard mode == .terminal else { return }
    lock.lock()
    defer { lock.unlock() }
    if drawn { write("\n") }
    drawn = false
    phaseKey = ""
  }
}

extension ProgressLine {
  /// `search epoch 3/15 [=====>    ] 120/211 batches  812 img/s  loss 0.43  1 min 02 s, ETA 48 s (run 9 min 10 s)`.
  /// `elapsed` seconds have passed since the phase's clock started with `since` units done.
  static func stepText(_ step: Step, since: Int, elapsed: Double) -> String {
    let fraction = step.total > 0 ? min(1, Double(step.done) / Double(step.total)) : 1
    let width = 24
    let filled = Int(fraction * Double(width))
    let bar =
      String(repeating: "=", count: filled) + (filled < width ? ">" : "")
      + String(repeating: " ", count: max(0, width - filled - 1))
    var text = step.phase
    if let epoch = step.epoch { text += " epoch \(epoch)" + (step.epochs.map { "/\($0)" } ?? "") }
    text += " [\(bar)] \(step.done)/\(step.total) \(step.unit)"
    if let rate = step.imagesPerSecond { text += String(format: "  %.0f img/s", rate) }
    if !step.metrics.isEmpty { text += "  " + step.metrics }
    text += "  " + TimeSpan.text(elapsed)
    if let eta = Self.eta(done: step.done - since, total: step.total - since, elapsed: elapsed) {
      text += ", ETA " + TimeSpan.text(eta)
      if let epoch = step.epoch, let epochs = step.epochs, epochs > epoch,
        let run = Self.runETA(epochETA: eta, elapsed: elapsed, epoch: epoch, epochs: epochs)
      {
        text += " (run " + TimeSpan.text(run) + ")"
      }
    }
    return text
  }

  /// Seconds left in a phase that did `done` of `total` in `elapsed` seconds at a steady
  /// rate; nil before the first unit of work (no rate yet).
  package static func eta(done: Int, total: Int, elapsed: Double) -> Double? {
    guard done > 0, elapsed > 0, total >= done else { return nil }
    return elapsed / Double(done) * Double(total - done)
  }

  /// Seconds left in a run at epoch `epoch` of `epochs` when the current epoch has
  /// `epochETA` left after `elapsed`: the later epochs are assumed to take as long.
  package static func runETA(epochETA: Double, elapsed: Double, epoch: Int, epochs: Int) -> Double? {
    guard epochs >= epoch, epochETA.isFinite else { return nil }
    return epochETA + (elapsed + epochETA) * Double(epochs - epoch)
  }

  /// `  (41 s, ETA 4 min 47 s)` after a finished epoch, empty without its time.
  static func timing(seconds: Double?, epoch: Int, epochs: Int?) -> String {
    guard let seconds else { return "" }
    var text = "  (\(TimeSpan.text(seconds))"
    if let epochs, epochs > epoch { text += ", ETA \(TimeSpan.text(seconds * Double(epochs - epoch)))" }
    return text + ")"
  }

  /// ISO 8601 in UTC, to the second.
  package static func timestamp(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: date)
  }
}
