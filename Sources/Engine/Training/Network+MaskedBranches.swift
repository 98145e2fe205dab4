import Models

/// Branches a channel mask switches off entirely (a mask of zeros before a sum) are not
/// computed. Their contribution to the sum is 0 · x = 0 and every gradient inside them is
/// exactly zero (each is a product with the zero output gradient), so skipping them
/// changes no number the rest of the network computes. Only the mask's own gradient
/// (Σ g · x) is left at zero, which nothing reads while the mapping is frozen. On Darkside
/// it saves the full 3×3 convolution of every block mapped entirely to the depthwise engine.
///
/// Skipped in evaluation always, and in training only while the masks are frozen
/// (`masksAreFrozen`: fine-tuning a fixed mapping): while the search learns the mapping it
/// needs d loss/d mask = Σ g · x, so the switched-off branch must still be computed; and a
/// warmup that samples an all-zero split for one step would otherwise leave that branch's
/// batch-norm statistics behind the other steps'.
extension Network {
  /// The layers the next pass skips: zero masks feeding plain sums that keep another input,
  /// and every layer whose outputs only such skipped layers consume.
  func skippedLayers(training: Bool) -> Set<String> {
    guard !training || masksAreFrozen else { return [] }
    var skipped = Set<String>()
    for layer in architecture.layers where layer.operation == .channelMask {
      guard let mask = kernel(named: layer.name) as? ChannelMaskKernel, mask.isAllZero,
        let users = consumers[layer.name], !users.isEmpty, users.allSatisfy(isPlainSum)
      else { continue }
      skipped.insert(layer.name)
    }
    guard !skipped.isEmpty else { return [] }
    // A sum keeps at least one input (its output would otherwise be all zeros, which the
    // skipped layers do not produce).
    for layer in architecture.layers where layer.operation == .add && layer.inputs.allSatisfy(skipped.contains) {
      skipped.remove(layer.inputs[0])
    }
    // Consumers come after producers: in reverse order every user is decided first.
    for layer in architecture.layers.reversed() where !skipped.contains(layer.name) {
      if let users = consumers[layer.name], !users.isEmpty, users.allSatisfy(skipped.contains) {
        skipped.insert(layer.name)
      }
    }
    return skipped
  }

  /// A residual-style sum without a fused ReLU: with one input skipped, its output is the other.
  private func isPlainSum(_ name: String) -> Bool {
    guard let sum = kernel(named: name) as? AddKernel else { return false }
    return !sum.fusedReLU
  }

  /// Zeroes the gradients of the skipped layers' parameters: the values a computed pass
  /// would have left there, which the optimizer still reads (weight decay, momentum).
  func clearGradients(of skipped: Set<String>) {
    for name in skipped {
      for parameter in kernel(named: name)?.parameters ?? [] {
        parameter.gradient.buffer.update(repeating: 0)
      }
    }
  }
}
