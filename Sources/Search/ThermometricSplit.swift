import Engine
import Models

/// The alternative-operators split of one layer (Darkside): logits α ∈ ℝ^C, kept ≥ 0, give
/// θ_i = Σ_(j ≥ i) α_j and the mask m_i = [θ_i > 0.5], so the channels that take the first
/// operator are always a prefix (k = Σ m of them) — the order the deployment needs. The
/// step has a straight-through gradient: dm_i/dθ_i = 1, so dL/dα_j = Σ_(i ≤ j) dL/dm_i.
///
/// The reference writes θ with |α_j| instead. Under Adam every α the cost pushes towards 0
/// then flips sign each step and hovers at ±(the step size): a floor of C·lr/2 under θ that
/// keeps channels on the first operator however large λ is (measured: 72 of 512 at λ = 10,
/// lr 0.01). `project()` after each step clips α at 0 instead, where the gradient still
/// exists, so a channel can leave the first operator for good and still come back.
package final class ThermometricSplit {
  package let logits: Parameter
  package let channels: Int
  /// A fixed count of first-operator channels (warmup sampling, frozen mappings); nil
  /// derives it from α.
  package var fixedCount: Int?

  /// Starts with the first `firstCount` channels on the first operator: α_j = 1 for them
  /// (θ ≥ 1) and the rest share 0.25 (θ ≤ 0.25), so the split is a prefix of exactly that
  /// length. Unlike the reference's half split (α = 0 for the second half, where |α| has no
  /// gradient and those channels can never move back), every α_j starts away from 0 and
  /// every channel can move either way.
  package init(name: String, channels: Int, firstCount: Int? = nil) {
    self.channels = channels
    let first = min(max(firstCount ?? channels, 0), channels)
    let rest = Float(0.25) / Float(max(channels - first, 1))
    logits = Parameter(
      name: "\(name).alpha", dims: [channels], decays: false, initial: (0..<channels).map { $0 < first ? 1 : rest })
  }

  /// θ_i for every channel.
  package var thresholds: [Float] {
    var running: Float = 0
    var result = [Float](repeating: 0, count: channels)
    for index in stride(from: channels - 1, through: 0, by: -1) {
      running += max(logits.value.buffer[index], 0)
      result[index] = running
    }
    return result
  }

  /// The mask of the first operator's channels (1) and the second's (0).
  package var mask: [Float] {
    if let fixedCount { return (0..<channels).map { $0 < fixedCount ? 1 : 0 } }
    return thresholds.map { $0 > 0.5 ? 1 : 0 }
  }

  /// Channels computed by the first operator.
  package var count: Int { Int(mask.reduce(0, +)) }

  /// Sets α's gradient from dL/dm (the first operator's mask; the second operator's mask
  /// is 1 − m, so its gradient enters with the opposite sign before this call).
  package func backward(maskGradient: [Float]) {
    var prefix: Float = 0
    for j in 0..<channels {
      prefix += maskGradient[j]
      logits.gradient.buffer[j] = fixedCount == nil ? prefix : 0
    }
  }

  /// Clips α at 0 (after every optimizer step): θ sums magnitudes, and a negative α would
  /// otherwise count as a positive one.
  package func project() {
    for j in 0..<channels where logits.value.buffer[j] < 0 { logits.value.buffer[j] = 0 }
  }
}
