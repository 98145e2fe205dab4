/// A run whose loss exploded (not finite, or above 100·ln(classes)) or whose cost stopped
/// being a finite number. The run stops at that epoch;
/// its run file keeps the last complete epoch and records where it diverged (`diverged`),
/// and reports name it instead of printing numbers for it.
package struct RunDiverged: Error, CustomStringConvertible, Sendable, Equatable {
  /// The run file.
  package let run: String
  /// Where: "epoch 7 (search): train loss nan, validation loss nan".
  package let detail: String

  package var description: String { "\(run): diverged at \(detail); the run file keeps the last complete epoch" }
}
