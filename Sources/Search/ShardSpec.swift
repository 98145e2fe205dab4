import Engine
import Models
import Support

/// Which of a sweep's jobs a process runs: `--shard I/N` (every N-th job from the I-th,
/// 1-based) or `auto`.
package enum ShardSpec {
  /// `I/N`, or `auto`: inside a Slurm array whose task ids are contiguous (any `--array`
  /// range such as 0-3 or 1-4), the task's own share — (ID − MIN + 1)/(MAX − MIN + 1);
  /// otherwise (no array, or a sparse one like 1,3,8) 1/1, which with the sweep's job locks
  /// means every job no other process is running: the processes divide the work among
  /// themselves, whatever the array's shape.
  package static func parse(_ text: String, environment: [String: String]) throws -> (index: Int, count: Int) {
    if text == "auto" {
      guard let id = environment["SLURM_ARRAY_TASK_ID"].flatMap(Int.init),
        let low = environment["SLURM_ARRAY_TASK_MIN"].flatMap(Int.init),
        let high = environment["SLURM_ARRAY_TASK_MAX"].flatMap(Int.init), low <= id, id <= high
      else { return (1, 1) }
      let count = environment["SLURM_ARRAY_TASK_COUNT"].flatMap(Int.init) ?? (high - low + 1)
      guard count == high - low + 1 else { return (1, 1) }
      return (id - low + 1, count)
    }
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
    guard parts.count == 2, let index = parts[0], let count = parts[1], count >= 1, (1...count).contains(index) else {
      throw InvalidOption("--shard", value: text, expected: "I/N with 1 ≤ I ≤ N (e.g. 2/4), or auto")
    }
    return (index, count)
  }
}
