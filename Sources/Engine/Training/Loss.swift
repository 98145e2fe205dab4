import Foundation

/// Softmax cross-entropy over logits [N, classes] with optional label smoothing, and the
/// batch's top-1 / top-5 correct counts.
package struct CrossEntropy: Sendable {
  package var labelSmoothing: Float

  package init(labelSmoothing: Float = 0) { self.labelSmoothing = labelSmoothing }

  package struct Result: Sendable {
    /// Mean loss over the batch.
    package let loss: Float
    /// d loss / d logits, [N, classes].
    package let gradient: [Float]
    package let top1Correct: Int
    package let top5Correct: Int
  }

  package func evaluate(logits: [Float], labels: [Int32], classes: Int) -> Result {
    let batch = labels.count
    var gradient = [Float](repeating: 0, count: logits.count)
    var total: Double = 0
    var top1 = 0
    var top5 = 0
    let off = labelSmoothing / Float(classes)
    for sample in 0..<batch {
      let row = logits[(sample * classes)..<((sample + 1) * classes)]
      let largest = row.max() ?? 0
      let exps = row.map { Foundation.exp(Double($0 - largest)) }
      let sum = exps.reduce(0, +)
      let logSum = Foundation.log(sum)
      let label = Int(labels[sample])
      for c in 0..<classes {
        let target = (c == label ? 1 - labelSmoothing : 0) + off
        let logProbability = Double(row[row.startIndex + c] - largest) - logSum
        total -= Double(target) * logProbability
        gradient[sample * classes + c] = (Float(exps[c] / sum) - target) / Float(batch)
      }
      let labelValue = row[row.startIndex + label]
      // A row with a non-finite logit has no prediction: it is a wrong answer, never a right one
      // (NaN compares false with everything, so the ranking below would count it correct).
      guard row.allSatisfy(\.isFinite) else { continue }
      // Rank as argmax does: ties go to the earlier class.
      let higher = row.indices.filter { row[$0] > labelValue || (row[$0] == labelValue && $0 - row.startIndex < label) }
        .count
      if higher == 0 { top1 += 1 }
      if higher < 5 { top5 += 1 }
    }
    return Result(loss: Float(total / Double(batch)), gradient: gradient, top1Correct: top1, top5Correct: top5)
  }
}
