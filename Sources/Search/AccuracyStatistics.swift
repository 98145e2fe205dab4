import Foundation

/// How much a test accuracy measured on a finite test split can be trusted.
public enum AccuracyStatistics {
  /// z of a two-sided 95 % normal interval.
  public static let z95 = 1.959963984540054

  /// The binomial standard error √(p(1 − p)/n) of an accuracy `p` (0–1) on `images` images.
  public static func standardError(accuracy p: Double, images n: Int) -> Double {
    guard n > 0, p.isFinite else { return .nan }
    return (max(0, p * (1 - p)) / Double(n)).squareRoot()
  }

  /// The Wilson score interval (0–1) of an accuracy `p` measured on `images` images: where
  /// the true accuracy lies with probability `z`'s coverage (95 % by default). Unlike
  /// p ± z·SE it stays inside [0, 1] and is not empty at p = 0 or 1.
  public static func wilson(accuracy p: Double, images n: Int, z: Double = z95) -> (low: Double, high: Double) {
    guard n > 0, p.isFinite else { return (.nan, .nan) }
    let count = Double(n)
    let z2 = z * z
    let centre = (p + z2 / (2 * count)) / (1 + z2 / count)
    let half = z / (1 + z2 / count) * (p * (1 - p) / count + z2 / (4 * count * count)).squareRoot()
    return (max(0, centre - half), min(1, centre + half))
  }

  /// The accuracy noise of a set of single-seed results: the largest binomial standard
  /// error among them (the default iso-accuracy tolerance ε).
  public static func noise(accuracies: [Double], images n: Int) -> Double {
    accuracies.map { standardError(accuracy: $0, images: n) }.filter(\.isFinite).max() ?? 0
  }
}
