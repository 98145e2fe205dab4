import CDNNL
import Foundation

/// Multiplies every output channel by a mask value, y[n,c,h,w] = x[n,c,h,w]·m[c], with
/// gradients for both the input and the mask (d/dm_c = Σ g·x over n, h, w). The
/// supernet mixes alternative operators through it.
final class ChannelMaskKernel: Kernel {
  let mask: Parameter
  var parameters: [Parameter] { [mask] }
  private var savedInput: Tensor?

  init(name: String, channels: Int) {
    mask = Parameter(
      name: "\(name).mask", dims: [channels], decays: false, initial: .init(repeating: 1, count: channels))
  }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let input = inputs[0].reordered(to: .plain(inputs[0].dims))
    let output = Tensor(.plain(input.dims))
    Self.scaleChannels(input, by: mask.value, into: output)
    savedInput = training ? input : nil
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    guard let savedInput else { throw EngineError("channel mask backward without a training forward pass") }
    let g = gradient.reordered(to: .plain(gradient.dims))
    let output = Tensor(.plain(g.dims))
    Self.scaleChannels(g, by: mask.value, into: output)
    let dims = g.dims
    let (batch, channels) = (dims[0], dims[1])
    let plane = dims.dropFirst(2).reduce(1, *)
    for c in 0..<channels {
      var total: Float = 0
      for n in 0..<batch {
        let base = (n * channels + c) * plane
        for index in base..<(base + plane) { total += g.buffer[index] * savedInput.buffer[index] }
      }
      mask.gradient.buffer[c] = total
    }
    return [output]
  }

  static func scaleChannels(_ input: Tensor, by mask: Tensor, into output: Tensor) {
    let dims = input.dims
    let (batch, channels) = (dims[0], dims[1])
    let plane = dims.dropFirst(2).reduce(1, *)
    for n in 0..<batch {
      for c in 0..<channels {
        let factor = mask.buffer[c]
        let base = (n * channels + c) * plane
        for index in base..<(base + plane) { output.buffer[index] = input.buffer[index] * factor }
      }
    }
  }
}

/// PACT activation quantizer with a learnable clip α (one per layer, initialised to 6):
/// clip to [0, α] and quantize to `bits` bits, straight-through rounding.
final class ActivationQuantizerKernel: Kernel {
  let alpha: Parameter
  let bits: Int
  var parameters: [Parameter] { [alpha] }
  private var savedInput: Tensor?

  init(name: String, bits: Int) {
    self.bits = bits
    alpha = Parameter(name: "\(name).alpha", dims: [1], decays: false, initial: [6])
  }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let input = inputs[0].reordered(to: .plain(inputs[0].dims))
    let output = Tensor(.plain(input.dims))
    let clip = max(alpha.value.buffer[0], 1e-3)
    for index in 0..<input.elementCount {
      output.buffer[index] = FakeQuantization.pact(input.buffer[index], alpha: clip, bits: bits)
    }
    savedInput = training ? input : nil
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    guard let savedInput else { throw EngineError("activation quantizer backward without a training forward pass") }
    let g = gradient.reordered(to: .plain(gradient.dims))
    let output = Tensor(.plain(g.dims))
    let clip = max(alpha.value.buffer[0], 1e-3)
    var alphaGradient: Float = 0
    for index in 0..<g.elementCount {
      let x = savedInput.buffer[index]
      output.buffer[index] = x > 0 && x < clip ? g.buffer[index] : 0
      if x >= clip { alphaGradient += g.buffer[index] }
    }
    alpha.gradient.buffer[0] = alphaGradient
    return [output]
  }
}
