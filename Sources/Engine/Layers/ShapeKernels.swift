import CDNNL
import Foundation
import Support

/// Max or average pooling (global average is average with the whole map as kernel).
final class PoolingKernel: Kernel {
  enum Kind { case max, average }
  let kind: Kind
  let kernel: Int?
  let stride: Int
  let padding: Int
  private var built: (dims: [Int], forward: Primitive, backward: Primitive)?
  private var workspace: Tensor?
  private var srcLayout: MemoryDescriptor?

  /// `kernel` nil means global (the whole input map).
  init(kind: Kind, kernel: Int?, stride: Int, padding: Int) {
    self.kind = kind
    self.kernel = kernel
    self.stride = stride
    self.padding = padding
  }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let input = inputs[0]
    let dims = input.dims
    let kernelH = kernel ?? dims[2]
    let kernelW = kernel ?? dims[3]
    if built?.dims != dims || srcLayout != input.descriptor {
      let outH = (dims[2] + 2 * padding - kernelH) / stride + 1
      let outW = (dims[3] + 2 * padding - kernelW) / stride + 1
      var src = input.descriptor.raw
      var dst = MemoryDescriptor([dims[0], dims[1], outH, outW], dnnl_format_tag_any).raw
      let algorithm = kind == .max ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding
      var forward = dnnl_pooling_desc_t()
      try check(
        odimo_pool_forward(
          &forward, dnnl_forward_training, algorithm, &src, &dst, Int64(kernelH), Int64(kernelW), Int64(stride),
          Int64(padding)),
        "pooling forward")
      let forwardPrimitive = try withDescriptor(&forward) { try Primitive($0, name: "pooling forward") }
      var chosenDst = forwardPrimitive.md(dnnl_query_dst_md).raw
      var backward = dnnl_pooling_desc_t()
      try check(
        odimo_pool_backward(
          &backward, algorithm, &src, &chosenDst, Int64(kernelH), Int64(kernelW), Int64(stride), Int64(padding)),
        "pooling backward")
      let backwardPrimitive = try withDescriptor(&backward) {
        try Primitive($0, hint: forwardPrimitive, name: "pooling backward")
      }
      built = (dims, forwardPrimitive, backwardPrimitive)
      srcLayout = input.descriptor
    }
    guard let built else { throw EngineError.kernelMisuse(kernel: "pooling", detail: "was not built") }
    let output = Tensor(built.forward.md(dnnl_query_dst_md))
    var arguments = [(DNNL_ARG_SRC, input), (DNNL_ARG_DST, output)]
    if kind == .max {
      let space = Tensor(built.forward.md(dnnl_query_workspace_md))
      arguments.append((DNNL_ARG_WORKSPACE, space))
      workspace = space
    }
    built.forward.execute(arguments)
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    guard let built, let srcLayout else {
      throw EngineError.kernelMisuse(kernel: "pooling", detail: "backward without a forward pass")
    }
    let diffSrc = Tensor(srcLayout)
    var arguments = [
      (DNNL_ARG_DIFF_DST, gradient.reordered(to: built.forward.md(dnnl_query_dst_md))), (DNNL_ARG_DIFF_SRC, diffSrc),
    ]
    if kind == .max, let workspace { arguments.append((DNNL_ARG_WORKSPACE, workspace)) }
    built.backward.execute(arguments)
    return [diffSrc]
  }
}

/// A fully connected layer (oneDNN inner product) on a plain [N, F] input.
final class LinearKernel: Kernel {
  let weight: Parameter
  let bias: Parameter?
  var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }
  private var built: (batch: Int, forward: Primitive, data: Primitive, weights: Primitive)?
  private var savedInput: Tensor?

  init(name: String, inFeatures: Int, outFeatures: Int, bias hasBias: Bool, generator: inout some RandomNumberGenerator)
  {
    let bound = 1 / Float(inFeatures).squareRoot()
    weight = Parameter(
      name: "\(name).weight", dims: [outFeatures, inFeatures], decays: true,
      initial: Initialisers.uniform(count: outFeatures * inFeatures, bound: bound, using: &generator))
    bias =
      hasBias
      ? Parameter(
        name: "\(name).bias", dims: [outFeatures], decays: false,
        initial: Initialisers.uniform(count: outFeatures, bound: bound, using: &generator))
      : nil
  }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let input = inputs[0].reordered(to: .plain(inputs[0].dims))
    let batch = input.dims[0]
    let (outFeatures, inFeatures) = (weight.value.dims[0], weight.value.dims[1])
    if built?.batch != batch {
      var src = MemoryDescriptor([batch, inFeatures], dnnl_nc).raw
      var weights = MemoryDescriptor([outFeatures, inFeatures], dnnl_oi).raw
      let biasMD = MemoryDescriptor([outFeatures], dnnl_x).raw
      var dst = MemoryDescriptor([batch, outFeatures], dnnl_nc).raw
      var forward = dnnl_inner_product_desc_t()
      let biasOrNil: dnnl_memory_desc_t? = bias == nil ? nil : biasMD
      try withOptionalPointer(biasOrNil) { biasPointer in
        try check(
          dnnl_inner_product_forward_desc_init(&forward, dnnl_forward_training, &src, &weights, biasPointer, &dst),
          "linear forward")
      }
      let forwardPrimitive = try withDescriptor(&forward) { try Primitive($0, name: "linear forward") }
      var data = dnnl_inner_product_desc_t()
      try check(dnnl_inner_product_backward_data_desc_init(&data, &src, &weights, &dst), "linear backward data")
      let dataPrimitive = try withDescriptor(&data) {
        try Primitive($0, hint: forwardPrimitive, name: "linear backward data")
      }
      var weightsDesc = dnnl_inner_product_desc_t()
      try withOptionalPointer(biasOrNil) { biasPointer in
        try check(
          dnnl_inner_product_backward_weights_desc_init(&weightsDesc, &src, &weights, biasPointer, &dst),
          "linear backward weights")
      }
      let weightsPrimitive = try withDescriptor(&weightsDesc) {
        try Primitive($0, hint: forwardPrimitive, name: "linear backward weights")
      }
      built = (batch, forwardPrimitive, dataPrimitive, weightsPrimitive)
    }
    guard let built else { throw EngineError.kernelMisuse(kernel: "linear", detail: "was not built") }
    let flat = Tensor(MemoryDescriptor([batch, inFeatures], dnnl_nc))
    copyPlain(input, into: flat)
    let output = Tensor(MemoryDescriptor([batch, outFeatures], dnnl_nc))
    var arguments = [(DNNL_ARG_SRC, flat), (DNNL_ARG_WEIGHTS, weight.value), (DNNL_ARG_DST, output)]
    if let bias { arguments.append((DNNL_ARG_BIAS, bias.value)) }
    built.forward.execute(arguments)
    savedInput = training ? flat : nil
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    guard let built, let savedInput else {
      throw EngineError.kernelMisuse(kernel: "linear", detail: "backward without a training forward pass")
    }
    let diffDst = gradient.reordered(to: MemoryDescriptor(gradient.dims, dnnl_nc))
    let diffSrc = Tensor(savedInput.descriptor)
    built.data.execute([(DNNL_ARG_DIFF_DST, diffDst), (DNNL_ARG_WEIGHTS, weight.value), (DNNL_ARG_DIFF_SRC, diffSrc)])
    var arguments = [
      (DNNL_ARG_SRC, savedInput), (DNNL_ARG_DIFF_DST, diffDst), (DNNL_ARG_DIFF_WEIGHTS, weight.gradient),
    ]
    if let bias { arguments.append((DNNL_ARG_DIFF_BIAS, bias.gradient)) }
    built.weights.execute(arguments)
    return [diffSrc]
  }
}

/// Elementwise sum of two inputs (the residual connection); the second input is
/// reordered to the first's layout. The gradient flows unchanged to both. With
/// `fusedReLU` the following ReLU is applied as a post-op of the sum, and its backward
/// pass uses the saved output (oneDNN's relu_use_dst_for_bwd): one memory pass less.
final class AddKernel: Kernel {
  let fusedReLU: Bool
  private var built: (layout: MemoryDescriptor, primitive: Primitive, reluBackward: Primitive?)?
  private var savedOutput: Tensor?

  init(fusedReLU: Bool = false) { self.fusedReLU = fusedReLU }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let first = inputs[0]
    let second = inputs[1].reordered(to: first.descriptor)
    if built?.layout != first.descriptor {
      var md = first.descriptor.raw
      var desc = dnnl_binary_desc_t()
      try check(dnnl_binary_desc_init(&desc, dnnl_binary_add, &md, &md, &md), "add")
      var attributes: dnnl_primitive_attr_t?
      var postOps: dnnl_post_ops_t?
      if fusedReLU {
        try check(dnnl_primitive_attr_create(&attributes), "add attributes")
        try check(dnnl_post_ops_create(&postOps), "add post-ops")
        try check(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_relu, 0, 0), "add ReLU post-op")
        try check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "add post-ops")
      }
      defer {
        if let postOps { dnnl_post_ops_destroy(postOps) }
        if let attributes { dnnl_primitive_attr_destroy(attributes) }
      }
      let primitive = try withDescriptor(&desc) { try Primitive($0, attributes: attributes, name: "add") }
      var reluBackward: Primitive?
      if fusedReLU {
        var forwardDesc = dnnl_eltwise_desc_t()
        try check(
          dnnl_eltwise_forward_desc_init(
            &forwardDesc, dnnl_forward_training, dnnl_eltwise_relu_use_dst_for_bwd, &md, 0, 0),
          "ReLU forward")
        let hint = try withDescriptor(&forwardDesc) { try Primitive($0, name: "ReLU forward") }
        var backwardDesc = dnnl_eltwise_desc_t()
        try check(
          dnnl_eltwise_backward_desc_init(&backwardDesc, dnnl_eltwise_relu_use_dst_for_bwd, &md, &md, 0, 0),
          "ReLU backward")
        reluBackward = try withDescriptor(&backwardDesc) { try Primitive($0, hint: hint, name: "ReLU backward") }
      }
      built = (first.descriptor, primitive, reluBackward)
    }
    guard let built else { throw EngineError.kernelMisuse(kernel: "add", detail: "was not built") }
    let output = Tensor(first.descriptor)
    built.primitive.execute([(DNNL_ARG_SRC_0, first), (DNNL_ARG_SRC_1, second), (DNNL_ARG_DST, output)])
    savedOutput = training && fusedReLU ? output : nil
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    guard fusedReLU else { return [gradient, gradient] }
    guard let built, let reluBackward = built.reluBackward, let savedOutput else {
      throw EngineError.kernelMisuse(kernel: "add+ReLU", detail: "backward without a training forward pass")
    }
    let diff = Tensor(built.layout)
    reluBackward.execute([
      (DNNL_ARG_DST, savedOutput), (DNNL_ARG_DIFF_DST, gradient.reordered(to: built.layout)), (DNNL_ARG_DIFF_SRC, diff),
    ])
    return [diff, diff]
  }
}

/// [N, C, H, W] → [N, C·H·W] in plain order (PyTorch's flatten).
final class FlattenKernel: Kernel {
  private var inputDims: [Int] = []

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let plain = inputs[0].reordered(to: .plain(inputs[0].dims))
    inputDims = plain.dims
    let output = Tensor(zeros: [inputDims[0], inputDims.dropFirst().reduce(1, *)])
    copyPlain(plain, into: output)
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    let plain = gradient.reordered(to: .plain(gradient.dims))
    let output = Tensor(zeros: inputDims)
    copyPlain(plain, into: output)
    return [output]
  }
}

/// Inverted dropout: in training, zeroes each element with probability p and scales the
/// rest by 1/(1 − p); identity in evaluation. Its mask comes from a seeded generator.
final class DropoutKernel: Kernel {
  let probability: Double
  private var generator: SplitMix64
  private var mask: [Float] = []

  init(probability: Double, seed: UInt64) {
    self.probability = probability
    generator = SplitMix64(seed: seed)
  }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let plain = inputs[0].reordered(to: .plain(inputs[0].dims))
    guard training, probability > 0 else { return plain }
    let keep = Float(1 / (1 - probability))
    mask = (0..<plain.elementCount).map { _ in generator.nextUnit() < probability ? 0 : keep }
    let output = Tensor(zeros: plain.dims)
    for index in mask.indices { output.buffer[index] = plain.buffer[index] * mask[index] }
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    let plain = gradient.reordered(to: .plain(gradient.dims))
    guard !mask.isEmpty else { return [plain] }
    let output = Tensor(zeros: plain.dims)
    for index in mask.indices { output.buffer[index] = plain.buffer[index] * mask[index] }
    return [output]
  }
}
