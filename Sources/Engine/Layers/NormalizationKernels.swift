import CDNNL
import Foundation
import Models

/// Batch normalisation over channels with learnable scale and shift; training uses the
/// batch's statistics and updates running ones (momentum 0.1, unbiased variance, as
/// PyTorch); evaluation uses the running ones.
final class BatchNormKernel: Kernel {
  let channels: Int
  let epsilon = BatchNormalization.epsilon
  let momentum = BatchNormalization.momentum
  let scale: Parameter
  let shift: Parameter
  /// Running statistics (state, not parameters), plain [C].
  let runningMean: Tensor
  let runningVariance: Tensor
  var parameters: [Parameter] { [scale, shift] }

  private var built:
    (dims: [Int], layout: MemoryDescriptor, training: Primitive, inference: Primitive, backward: Primitive)?
  private var saved: (src: Tensor, mean: Tensor, variance: Tensor, workspace: Tensor?)?
  /// Whether a following ReLU is computed inside the normalisation (oneDNN's
  /// fuse_norm_relu): one memory pass less forward and backward.
  let fusedReLU: Bool

  init(name: String, channels: Int, fusedReLU: Bool = false) {
    self.channels = channels
    self.fusedReLU = fusedReLU
    scale = Parameter(
      name: "\(name).weight", dims: [channels], decays: false, initial: .init(repeating: 1, count: channels))
    shift = Parameter(
      name: "\(name).bias", dims: [channels], decays: false, initial: .init(repeating: 0, count: channels))
    runningMean = Tensor(zeros: [channels])
    runningVariance = Tensor(dims: [channels], values: .init(repeating: 1, count: channels))
  }

  private func build(_ layout: MemoryDescriptor) throws {
    var data = layout.raw
    let flags = dnnl_use_scale.rawValue | dnnl_use_shift.rawValue | (fusedReLU ? dnnl_fuse_norm_relu.rawValue : 0)
    var training = dnnl_batch_normalization_desc_t()
    try check(
      dnnl_batch_normalization_forward_desc_init(&training, dnnl_forward_training, &data, epsilon, flags),
      "batch norm forward")
    let trainingPrimitive = try withDescriptor(&training) { try Primitive($0, name: "batch norm forward") }
    var inference = dnnl_batch_normalization_desc_t()
    try check(
      dnnl_batch_normalization_forward_desc_init(
        &inference, dnnl_forward_inference, &data, epsilon, flags | dnnl_use_global_stats.rawValue),
      "batch norm inference")
    let inferencePrimitive = try withDescriptor(&inference) { try Primitive($0, name: "batch norm inference") }
    var backward = dnnl_batch_normalization_desc_t()
    try check(
      dnnl_batch_normalization_backward_desc_init(&backward, dnnl_backward, &data, &data, epsilon, flags),
      "batch norm backward")
    let backwardPrimitive = try withDescriptor(&backward) {
      try Primitive($0, hint: trainingPrimitive, name: "batch norm backward")
    }
    built = (layout.dims, layout, trainingPrimitive, inferencePrimitive, backwardPrimitive)
  }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let input = inputs[0]
    if built == nil || built?.layout != input.descriptor { try build(input.descriptor) }
    guard let built else { throw EngineError.kernelMisuse(kernel: "batch norm", detail: "was not built") }
    let output = Tensor(input.descriptor)
    if training {
      let mean = Tensor(zeros: [channels])
      let variance = Tensor(zeros: [channels])
      var arguments = [
        (DNNL_ARG_SRC, input), (DNNL_ARG_DST, output), (DNNL_ARG_MEAN, mean), (DNNL_ARG_VARIANCE, variance),
        (DNNL_ARG_SCALE, scale.value), (DNNL_ARG_SHIFT, shift.value),
      ]
      let workspace = fusedReLU ? Tensor(built.training.md(dnnl_query_workspace_md)) : nil
      if let workspace { arguments.append((DNNL_ARG_WORKSPACE, workspace)) }
      built.training.execute(arguments)
      let count = Float(input.elementCount / channels)
      let correction = count > 1 ? count / (count - 1) : 1
      for c in 0..<channels {
        runningMean.buffer[c] = (1 - momentum) * runningMean.buffer[c] + momentum * mean.buffer[c]
        runningVariance.buffer[c] =
          (1 - momentum) * runningVariance.buffer[c] + momentum * variance.buffer[c] * correction
      }
      saved = (input, mean, variance, workspace)
    } else {
      built.inference.execute([
        (DNNL_ARG_SRC, input), (DNNL_ARG_DST, output), (DNNL_ARG_MEAN, runningMean),
        (DNNL_ARG_VARIANCE, runningVariance), (DNNL_ARG_SCALE, scale.value), (DNNL_ARG_SHIFT, shift.value),
      ])
      saved = nil
    }
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    guard let built, let saved else {
      throw EngineError.kernelMisuse(kernel: "batch norm", detail: "backward without a training forward pass")
    }
    let diffDst = gradient.reordered(to: built.layout)
    let diffSrc = Tensor(built.layout)
    var arguments = [
      (DNNL_ARG_SRC, saved.src), (DNNL_ARG_MEAN, saved.mean), (DNNL_ARG_VARIANCE, saved.variance),
      (DNNL_ARG_DIFF_DST, diffDst), (DNNL_ARG_SCALE, scale.value), (DNNL_ARG_SHIFT, shift.value),
      (DNNL_ARG_DIFF_SRC, diffSrc),
      (DNNL_ARG_DIFF_SCALE, scale.gradient), (DNNL_ARG_DIFF_SHIFT, shift.gradient),
    ]
    if let workspace = saved.workspace { arguments.append((DNNL_ARG_WORKSPACE, workspace)) }
    built.backward.execute(arguments)
    return [diffSrc]
  }
}

/// ReLU or ReLU6 (bounded at 6) on oneDNN's eltwise primitive, in the input's layout.
final class ActivationKernel: Kernel {
  let bound: Float?
  private var built: (layout: MemoryDescriptor, forward: Primitive, backward: Primitive)?
  private var savedInput: Tensor?

  init(bound: Float?) { self.bound = bound }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let input = inputs[0]
    if built?.layout != input.descriptor {
      var data = input.descriptor.raw
      let algorithm = bound == nil ? dnnl_eltwise_relu : dnnl_eltwise_bounded_relu
      let alpha = bound ?? 0
      var forward = dnnl_eltwise_desc_t()
      try check(
        dnnl_eltwise_forward_desc_init(&forward, dnnl_forward_training, algorithm, &data, alpha, 0), "eltwise forward")
      let forwardPrimitive = try withDescriptor(&forward) { try Primitive($0, name: "eltwise forward") }
      var backward = dnnl_eltwise_desc_t()
      try check(dnnl_eltwise_backward_desc_init(&backward, algorithm, &data, &data, alpha, 0), "eltwise backward")
      let backwardPrimitive = try withDescriptor(&backward) {
        try Primitive($0, hint: forwardPrimitive, name: "eltwise backward")
      }
      built = (input.descriptor, forwardPrimitive, backwardPrimitive)
    }
    guard let built else { throw EngineError.kernelMisuse(kernel: "activation", detail: "was not built") }
    let output = Tensor(input.descriptor)
    built.forward.execute([(DNNL_ARG_SRC, input), (DNNL_ARG_DST, output)])
    savedInput = training ? input : nil
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    guard let built, let savedInput else {
      throw EngineError.kernelMisuse(kernel: "activation", detail: "backward without a training forward pass")
    }
    let diffSrc = Tensor(built.layout)
    built.backward.execute([
      (DNNL_ARG_SRC, savedInput), (DNNL_ARG_DIFF_DST, gradient.reordered(to: built.layout)),
      (DNNL_ARG_DIFF_SRC, diffSrc),
    ])
    return [diffSrc]
  }
}

/// A layer whose work another kernel already did (a ReLU fused into batch norm).
final class IdentityKernel: Kernel {
  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor { inputs[0] }
  func backward(_ gradient: Tensor) throws -> [Tensor] { [gradient] }
}
