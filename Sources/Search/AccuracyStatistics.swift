import Foundation

/// How much a test accuracy measured on a finite test split can be trusted.
package enum AccuracyStatistics {
  /// z of a two-sided 95 % normal interval.
  package static let z95 = 1.959963984540054

  /// The binomial standard error √(p(1 − p)/n) of an accuracy `p` (0–1) on `images` images.
  package static func standardError(accuracy p: Double, images n: Int) -> Double {
    guard n > 0, p.isFinite else { return .nan }
    return (max(0, p * (1 - p)) / Double(n)).squareRoot()
  }

  /// The Wilson score interval (0–1) of an accuracy `p` measured on `images` images: where
  /// the true accuracy lies with probability `z`'s coverage (95 % by default). Unlike
  /// p ± z·SE it stays inside [0, 1] and is not empty at p = 0 or 1.
  package static func wilson(accuracy p: Double, images n: Int, z: Double = z95) -> (low: Double, high: Double) {
    guard n > 0, p.isFinite else { return (.nan, .nan) }
    let count = Double(n)
    let z2 = z * z
    let centre = (p + z2 / (2 * count)) / (1 + z2 / count)
    let half = z / (1 + z2 / count) * (p * (1 - p) / count + z2 / (4 * count * count)).squareRoot()
    return (max(0, centre - half), min(1, centre + half))
  }

  /// The accuracy noise of a set of single-seed results: the largest binomial standard
  /// error among them (the default iso-accuracy tolerance ε).
  package static func noise(accuracies: [Double], images n: Int) -> Double {
    accuracies.map { standardError(accuracy: $0, images: n) }.filter(\.isFinite).max() ?? 0
  }

  /// Mean, sample standard deviation (n − 1) and the two-sided 95 % Student-t interval of
  /// the mean of `values` (one accuracy per seed, 0–1). With one value the deviation and
  /// interval are nil: a single run says nothing about seed-to-seed spread.
  package static func overSeeds(_ values: [Double]) -> (
    mean: Double, deviation: Double?, interval: (low: Double, high: Double)?
  ) {
    let n = values.count
    guard n > 0 else { return (.nan, nil, nil) }
    let mean = values.reduce(0, +) / Double(n)
    guard n > 1 else { return (mean, nil, nil) }
    let deviation = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
    let half = t975(degreesOfFreedom: n - 1) * deviation / Double(n).squareRoot()
    return (mean, deviation, (mean - half, mean + half))
  }

  /// The seed-to-seed standard deviation of one run's accuracy, pooled over every group of
  /// runs that differ only in seed: √(Σ (n_g − 1)·s_g² / Σ (n_g − 1)); nil without a group of
  /// two or more.
  package static func pooledDeviation(_ groups: [[Double]]) -> Double? {
    var squares = 0.0
    var freedom = 0
    for group in groups where group.count > 1 {
      let mean = group.reduce(0, +) / Double(group.count)
      squares += group.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
      freedom += group.count - 1
    }
    return freedom > 0 ? (squares / Double(freedom)).squareRoot() : nil
  }

  /// The 0.975 quantile of Student's t with `degreesOfFreedom` (≥ 1): tabulated to 30, the
  /// normal quantile plus the first terms of its Cornish–Fisher expansion beyond.
  package static func t975(degreesOfFreedom df: Int) -> Double {
    let table = [
      12.706204736, 4.302652730, 3.182446305, 2.776445105, 2.570581836, 2.446911851, 2.364624252, 2.306004135,
      2.262157163, 2.228138852, 2.200985160, 2.178812830, 2.160368656, 2.144786688, 2.131449546, 2.119905299,
      2.109815578, 2.100922040, 2.093024054, 2.085963447, 2.079613845, 2.073873068, 2.068657610, 2.063898562,
      2.059538553, 2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
    ]
    guard df >= 1 else { return .nan }
    if df <= table.count { return table[df - 1] }
    let z = z95
    let v = Double(df)
    return z + (z * z * z + z) / (4 * v) + (5 * pow(z, 5) + 16 * z * z * z + 3 * z) / (96 * v * v)
  }
}
