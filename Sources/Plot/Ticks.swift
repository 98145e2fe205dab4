import Foundation

/// How data values map onto an axis.
package enum AxisScale: Sendable, Equatable {
  case linear
  /// Base-10 logarithmic; every value must be > 0.
  case log
}

/// Tick positions and labels for an axis.
package enum Ticks {
  /// Round tick values covering [low, high], about `target` of them, with steps of 1, 2,
  /// 2.5 or 5 × 10^k (Heckbert's "nice numbers"). Returns the ticks and the padded range
  /// they span (which the axis uses, so the outermost ticks sit on its ends).
  package static func linear(_ low: Double, _ high: Double, target: Int = 5) -> (
    ticks: [Double], range: (Double, Double)
  ) {
    var (low, high) = (min(low, high), max(low, high))
    if high - low < 1e-12 * max(1, abs(high)) {
      let pad = abs(high) > 0 ? abs(high) * 0.05 : 1
      low -= pad
      high += pad
    }
    let step = niceStep((high - low) / Double(max(1, target)))
    let first = (low / step).rounded(.down)
    let last = (high / step).rounded(.up)
    var ticks: [Double] = []
    var k = first
    while k <= last + 1e-9 {
      // Multiplying (rather than accumulating) keeps values such as 0.3 exact in print.
      ticks.append(k * step)
      k += 1
    }
    return (ticks, (first * step, last * step))
  }

  /// The step nearest `raw` among 1, 2, 2.5, 5 × 10^k.
  package static func niceStep(_ raw: Double) -> Double {
    guard raw > 0, raw.isFinite else { return 1 }
    let magnitude = pow(10, (log10(raw)).rounded(.down))
    let fraction = raw / magnitude
    let nice: Double = fraction < 1.5 ? 1 : fraction < 2.25 ? 2 : fraction < 3.5 ? 2.5 : fraction < 7.5 ? 5 : 10
    return nice * magnitude
  }

  /// Ticks for a log axis over [low, high] (both > 0): every decade, plus 2× and 5× within
  /// decades when the range spans fewer than three, and every integer multiple when it
  /// spans less than one; the range widens to whole ticks.
  package static func log(_ low: Double, _ high: Double) -> (ticks: [Double], range: (Double, Double)) {
    let low = max(min(low, high), Double.leastNormalMagnitude)
    let high = max(low, high)
    let firstDecade = Int(log10(low).rounded(.down))
    let lastDecade = Int(log10(high).rounded(.up))
    let multipliers: [Double] =
      high / low < 10 ? [1, 2, 3, 4, 5, 6, 7, 8, 9] : lastDecade - firstDecade < 3 ? [1, 2, 5] : [1]
    var candidates: [Double] = []
    for decade in firstDecade...max(firstDecade, lastDecade) {
      for m in multipliers { candidates.append(m * pow(10, Double(decade))) }
    }
    // The tightest tick at or below `low` and at or above `high`.
    let start = candidates.last { $0 <= low * (1 + 1e-9) } ?? candidates[0]
    let end = candidates.first { $0 >= high * (1 - 1e-9) } ?? candidates[candidates.count - 1]
    let ticks = candidates.filter { $0 >= start * (1 - 1e-9) && $0 <= end * (1 + 1e-9) }
    return (ticks, (start, end == start ? start * 10 : end))
  }

  /// A short label for `value` given the spacing of neighbouring ticks: SI suffixes from
  /// thousands up (12.5k, 3M), and as many decimals as the step needs below that.
  package static func label(_ value: Double, step: Double) -> String {
    let magnitude = abs(value)
    if magnitude >= 1000 {
      let (divisor, suffix): (Double, String) =
        magnitude >= 1e9 ? (1e9, "G") : magnitude >= 1e6 ? (1e6, "M") : (1e3, "k")
      return trimmed(value / divisor, decimals: decimals(for: step / divisor)) + suffix
    }
    return trimmed(value, decimals: decimals(for: step))
  }

  static func decimals(for step: Double) -> Int {
    guard step > 0, step.isFinite else { return 0 }
    var decimals = 0
    var scaled = step
    while decimals < 6, abs(scaled - scaled.rounded()) > 1e-6 * max(1, abs(scaled)) {
      scaled *= 10
      decimals += 1
    }
    return decimals
  }

  static func trimmed(_ value: Double, decimals: Int) -> String {
    let text = String(format: "%.\(decimals)f", value == 0 ? 0 : value)
    return text == "-0" ? "0" : text
  }
}
