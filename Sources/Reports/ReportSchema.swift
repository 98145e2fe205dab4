/// The report's tables as the writer lays them out and the audit finds them again: each
/// table is recognised by its first header cell, so both sides take these names from here.
enum ReportSchema {
  static let setup = "Setting"
  static let points = "Point"
  static let baselines = "Baseline"
  static let reference = "Reference"
  static let acrossSeeds = "Across seeds"
  static let gains = "Compared with"
}
