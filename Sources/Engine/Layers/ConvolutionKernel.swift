import CDNNL
import Foundation
import Models

/// 2-D convolution (any stride, symmetric padding, groups incl. depthwise, optional
/// bias) on oneDNN, with activations and weights in the layouts oneDNN picks for the
/// machine (blocked on AVX-512); the master weights stay plain.
final class ConvolutionKernel: Kernel {
  let spec: Convolution
  let inChannels: Int
  let weight: Parameter
  let bias: Parameter?
  /// Fake quantization or per-channel mixing of weight formats; nil computes in float.
  let mixer: WeightMixer?
  var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) + (mixer?.parameters ?? []) }

  private var inputDims: [Int] = []
  private var forwardPrimitive: Primitive?
  private var backwardData: Primitive?
  private var backwardWeights: Primitive?
  private var savedInput: Tensor?
  /// The oneDNN implementation of the forward primitive ("jit:avx512_core", …), once built.
  var forwardImplementation: String { forwardPrimitive?.implementation ?? "" }
  /// False for a layer fed by the network input, whose gradient nobody needs: its
  /// backward-data convolution is skipped.
  var computesInputGradient = true
  /// Who computes the gradients (ConvolutionKernel+WeightGradients.swift): oneDNN's
  /// primitives, ours for a depthwise weight gradient, or ours tap by tap for both.
  enum BackwardPath: Sendable { case oneDNN, depthwiseWeights, tapwise }
  private(set) var backwardPath = BackwardPath.oneDNN
  /// The precision asked for (`Precision`); depthwise convolutions keep fp32.
  let precision: Precision
  /// What the primitives read input, weights and output gradient as, chosen when they are
  /// built for an input shape (`operandPrecision(output:)`); their outputs (activations,
  /// input and weight gradients) are float32 either way.
  private(set) var computedIn: Precision = .fp32
  /// bf16 with the input on a quantization grid (`Tensor.grid`): the forward primitive that
  /// reads the input's integer levels and the weights' exact operands
  /// (`WeightMixer.exactOperand`) and applies step × channel factor and the bias in its own
  /// float32 post-ops.
  private var levelsForward: Primitive?
  private var builtForGrid = false
  /// The grid step of the input the last training forward pass read as levels.
  private var savedStep: Float?

  /// `formats` lists the weight formats mixed per channel (one: plain fake quantization;
  /// nil or empty: float, or the spec's own `weightQuantization`).
  init(
    name: String, spec: Convolution, inChannels: Int, formats: [WeightQuantization?]? = nil,
    precision: Precision = .fp32, generator: inout some RandomNumberGenerator
  ) {
    self.spec = spec
    self.inChannels = inChannels
    // oneDNN 2.6 has no faster bf16 kernel for grouped (depthwise) convolutions.
    self.precision = spec.groups == 1 ? precision : .fp32
    let fanOut = spec.outChannels / spec.groups * spec.kernel * spec.kernel
    weight = Parameter(
      name: "\(name).weight", dims: Self.weightDims(spec, inChannels), decays: true,
      initial: Initialisers.kaimingNormal(
        count: spec.outChannels * (inChannels / spec.groups) * spec.kernel * spec.kernel, fan: fanOut, using: &generator
      ))
    let chosen = formats ?? (spec.weightQuantization.map { [$0] } ?? [])
    mixer =
      chosen.isEmpty
      ? nil
      : WeightMixer(name: name, formats: chosen, outChannels: spec.outChannels, initialWeights: weight.value.values())
    bias =
      spec.bias
      ? Parameter(
        name: "\(name).bias", dims: [spec.outChannels], decays: false,
        initial: .init(repeating: 0, count: spec.outChannels)) : nil
  }

  /// oihw, or goihw for grouped convolutions (the same bytes as PyTorch's [O, I/g, K, K]).
  static func weightDims(_ spec: Convolution, _ inChannels: Int) -> [Int] {
    spec.groups == 1
      ? [spec.outChannels, inChannels, spec.kernel, spec.kernel]
      : [spec.groups, spec.outChannels / spec.groups, inChannels / spec.groups, spec.kernel, spec.kernel]
  }

  private var mixedWeights: Tensor?

  /// The weights the primitive computes with: the master weights, or the mixer's
  /// quantized/mixed version. The backward pass reuses the forward pass's.
  private func effectiveWeights(recompute: Bool = true) -> Tensor {
    guard let mixer else { return weight.value }
    if !recompute, let mixedWeights { return mixedWeights }
    let tensor = Tensor(dims: weight.value.dims, values: mixer.mix(weight.value.values()))
    mixedWeights = tensor
    return tensor
  }

  /// bf16 pays on maps of at least 16×16: on smaller ones oneDNN 2.6's AMX backward kernels
  /// are slower than its fp32 Winograd and 1×1 ones (measured with ONEDNN_VERBOSE on
  /// ResNet-20's 8×8 stage and MobileNetV1's 4×4…1×1 blocks), so those stay fp32. A layer
  /// with quantized weights reads bf16 only from an input on a grid, whose levels bf16 holds
  /// exactly; fed anything else (the stem on images) it stays fp32, so a quantized network's
  /// forward pass is not rounded where fake quantization means it to be exact.
  func operandPrecision(output: [Int], inputOnGrid: Bool = false) -> Precision {
    guard precision == .bf16, output[2] * output[3] >= 16 * 16 else { return .fp32 }
    return mixer == nil || inputOnGrid ? .bf16 : .fp32
  }

  /// Direct 3×3 convolution on output maps smaller than 4×4, oneDNN's choice elsewhere.
  /// Its fp32 Winograd kernel computes 4×4 output tiles: on MobileNetV1's 2×2 and 1×1 maps
  /// it did 4–16× the work (the 512- and 1,024-channel 3×3 convolutions of Darkside's
  /// alternative blocks took 76 % of oneDNN's time in a search step), where direct
  /// kernels skip the padding. Other kernel sizes have no Winograd form: unchanged.
  func algorithm(output: [Int]) -> dnnl_alg_kind_t {
    spec.kernel == 3 && (output[2] < 4 || output[3] < 4) ? dnnl_convolution_direct : dnnl_convolution_auto
  }

  private func outputDims(_ input: [Int]) -> [Int] {
    let size = { (extent: Int) in (extent + 2 * self.spec.padding - self.spec.kernel) / self.spec.stride + 1 }
    return [input[0], spec.outChannels, size(input[2]), size(input[3])]
  }

  /// Builds the primitives; a bf16 primitive oneDNN does not implement on this CPU (AVX2
  /// only has few) becomes an error that names the option, not oneDNN's status.
  private func build(_ dims: [Int], onGrid: Bool) throws {
    do {
      try buildPrimitives(dims, onGrid: onGrid)
    } catch EngineError.oneDNN(_, let status) where computedIn == .bf16 && status == Int(dnnl_unimplemented.rawValue) {
      throw EngineError.precisionUnsupported(.bf16)
    }
  }

  private func buildPrimitives(_ dims: [Int], onGrid: Bool) throws {
    let any = dnnl_format_tag_any
    computedIn = operandPrecision(output: outputDims(dims), inputOnGrid: onGrid)
    let operand = computedIn.operandType
    var src = MemoryDescriptor(dims, any, type: operand).raw
    var weights = MemoryDescriptor(weight.value.dims, any, type: operand).raw
    let biasMD = MemoryDescriptor([spec.outChannels], dnnl_x).raw
    var dst = MemoryDescriptor(outputDims(dims), any).raw
    // Gradients flow in at `operand` precision and leave in float32.
    var diffDst = MemoryDescriptor(outputDims(dims), any, type: operand).raw
    var diffSrc = MemoryDescriptor(dims, any).raw
    var diffWeights = MemoryDescriptor(weight.value.dims, any).raw
    let stride = Int64(spec.stride)
    let padding = Int64(spec.padding)
    let algorithm = algorithm(output: outputDims(dims))
    var forward = dnnl_convolution_desc_t()
    let biasOrNil: dnnl_memory_desc_t? = bias == nil ? nil : biasMD
    try withOptionalPointer(biasOrNil) { biasPointer in
      try check(
        odimo_conv_forward(
          &forward, dnnl_forward_training, algorithm, &src, &weights, biasPointer, &dst, stride, padding),
        "convolution forward")
    }
    let made = try withDescriptor(&forward) { try Primitive($0, name: "convolution forward") }
    levelsForward = nil
    if computedIn == .bf16 && onGrid {
      // Post-ops: × (step · channel factor), then + bias, both per output channel.
      var unbiased = dnnl_convolution_desc_t()
      try check(
        odimo_conv_forward(&unbiased, dnnl_forward_training, algorithm, &src, &weights, nil, &dst, stride, padding),
        "convolution forward on levels")
      levelsForward = try withPerChannelPostOps { attributes in
        try withDescriptor(&unbiased) {
          try Primitive($0, attributes: attributes, name: "convolution forward on levels")
        }
      }
    }
    builtForGrid = onGrid
    var data = dnnl_convolution_desc_t()
    try check(
      odimo_conv_backward_data(&data, algorithm, &diffSrc, &weights, &diffDst, stride, padding),
      "convolution backward data")
    backwardData = try withDescriptor(&data) { try Primitive($0, hint: made, name: "convolution backward data") }
    var weightsDesc = dnnl_convolution_desc_t()
    try withOptionalPointer(biasOrNil) { biasPointer in
      try check(
        odimo_conv_backward_weights(
          &weightsDesc, algorithm, &src, &diffWeights, biasPointer, &diffDst, stride, padding),
        "convolution backward weights")
    }
    backwardWeights = try withDescriptor(&weightsDesc) {
      try Primitive($0, hint: made, name: "convolution backward weights")
    }
    forwardPrimitive = made
    inputDims = dims
    backwardPath = backwardPath(algorithm: algorithm)
  }

  /// oneDNN 2.6 falls back to a slow GEMM for depthwise weight gradients on small maps (a
  /// 1024-channel 2×2 layer took 10 % of a MobileNetV1 step): ours is direct. Its direct
  /// backward kernels for ungrouped 3×3 convolutions on maps under 4×4 run every tap over
  /// the padding (weight gradients: 68–104 ms per call on Darkside's 512- and 1,024-channel
  /// blocks, 3–5× the forward): tap by tap on GEMM.
  private func backwardPath(algorithm: dnnl_alg_kind_t) -> BackwardPath {
    let depthwise = spec.groups > 1 && spec.groups == inChannels && spec.groups == spec.outChannels
    if depthwise { return backwardWeights?.implementation.contains("gemm") == true ? .depthwiseWeights : .oneDNN }
    return spec.groups == 1 && algorithm == dnnl_convolution_direct && computedIn == .fp32 ? .tapwise : .oneDNN
  }

  /// Runs `body` with attributes whose post-ops multiply each output channel by a factor
  /// and, when the layer has a bias, add it ([1, C, 1, 1] operands given at execution).
  private func withPerChannelPostOps<R>(_ body: (dnnl_primitive_attr_t?) throws -> R) throws -> R {
    var postOps: dnnl_post_ops_t?
    var attributes: dnnl_primitive_attr_t?
    dnnl_post_ops_create(&postOps)
    dnnl_primitive_attr_create(&attributes)
    defer {
      dnnl_post_ops_destroy(postOps)
      dnnl_primitive_attr_destroy(attributes)
    }
    var perChannel = MemoryDescriptor.plain([1, spec.outChannels, 1, 1]).raw
    for operation in bias == nil ? [dnnl_binary_mul] : [dnnl_binary_mul, dnnl_binary_add] {
      try check(dnnl_post_ops_append_binary(postOps, operation, &perChannel), "convolution post-op")
    }
    try check(dnnl_primitive_attr_set_post_ops(attributes, postOps), "convolution post-ops")
    return try body(attributes)
  }

  func forward(_ inputs: [Tensor], training: Bool) throws -> Tensor {
    let input = inputs[0]
    let onGrid = precision == .bf16 && input.grid != nil
    if input.dims != inputDims || onGrid != builtForGrid || forwardPrimitive == nil {
      try build(input.dims, onGrid: onGrid)
    }
    guard let primitive = forwardPrimitive else {
      throw EngineError.kernelMisuse(kernel: "convolution", detail: "was not built")
    }
    if let levelsForward, let step = input.grid {
      return forwardOnLevels(input, step: step, primitive: levelsForward, training: training)
    }
    savedStep = nil
    let src = input.reordered(to: primitive.md(dnnl_query_src_md))
    let weights = effectiveWeights().reordered(to: primitive.md(dnnl_query_weights_md))
    let output = Tensor(primitive.md(dnnl_query_dst_md))
    var arguments = [(DNNL_ARG_SRC, src), (DNNL_ARG_WEIGHTS, weights), (DNNL_ARG_DST, output)]
    if let bias { arguments.append((DNNL_ARG_BIAS, bias.value)) }
    primitive.execute(arguments)
    savedInput = training ? src : nil
    return output
  }

  /// y[c] = conv(x / step, w / f)[c] · step · f[c] + b[c]: the convolution of integer levels
  /// and exact weight operands, exact in float32 accumulation while its sums stay under 2²⁴
  /// (DIANA: 7-bit levels × int8 levels over at most 576 products, < 9.4 M), then scaled and
  /// biased.
  private func forwardOnLevels(_ input: Tensor, step: Float, primitive: Primitive, training: Bool) -> Tensor {
    let src = input.levels(step: step, in: primitive.md(dnnl_query_src_md))
    let mixed = effectiveWeights()
    let exact = mixer?.exactOperand()
    let operand = exact.map { Tensor(dims: weight.value.dims, values: $0.weights) } ?? mixed
    let output = Tensor(primitive.md(dnnl_query_dst_md))
    let factors = (exact?.channelScales ?? [Float](repeating: 1, count: spec.outChannels)).map { $0 * step }
    var arguments = [
      (DNNL_ARG_SRC, src), (DNNL_ARG_WEIGHTS, operand.reordered(to: primitive.md(dnnl_query_weights_md))),
      (DNNL_ARG_DST, output),
      (odimo_post_op_arg(0, DNNL_ARG_SRC_1), Tensor(dims: [1, spec.outChannels, 1, 1], values: factors)),
    ]
    if let bias {
      arguments.append(
        (odimo_post_op_arg(1, DNNL_ARG_SRC_1), Tensor(dims: [1, spec.outChannels, 1, 1], values: bias.value.values())))
    }
    primitive.execute(arguments)
    savedInput = training ? src : nil
    savedStep = training ? step : nil
    return output
  }

  func backward(_ gradient: Tensor) throws -> [Tensor] {
    guard let backwardData, let backwardWeights, let savedInput else {
      throw EngineError.kernelMisuse(kernel: "convolution", detail: "backward without a training forward pass")
    }
    let diffSrc = Tensor(backwardData.md(dnnl_query_diff_src_md))
    switch backwardPath {
    case .tapwise:
      let weights = computesInputGradient ? effectiveWeights(recompute: false) : nil
      let tapwise = try Self.tapwiseGradients(
        input: savedInput, gradient: gradient, weights: weights, spec: spec, weightGradient: weight.gradient)
      if let bias { Self.biasGradient(gradient, into: bias.gradient) }
      finishWeightGradient()
      return [tapwise?.reordered(to: diffSrc.descriptor) ?? diffSrc]
    case .oneDNN, .depthwiseWeights:
      // The output gradient converted once when both backward primitives read it alike.
      var converted: Tensor?
      if computesInputGradient {
        let diffDst = gradient.reordered(to: backwardData.md(dnnl_query_diff_dst_md))
        converted = diffDst
        let weights = effectiveWeights(recompute: false).reordered(to: backwardData.md(dnnl_query_weights_md))
        backwardData.execute([(DNNL_ARG_DIFF_DST, diffDst), (DNNL_ARG_WEIGHTS, weights), (DNNL_ARG_DIFF_SRC, diffSrc)])
      }
      if backwardPath == .depthwiseWeights {
        Self.depthwiseWeightGradient(input: savedInput, gradient: gradient, spec: spec, into: weight.gradient)
        if let bias { Self.biasGradient(gradient, into: bias.gradient) }
      } else {
        try oneDNNWeightGradient(gradient, input: savedInput, converted: converted, primitive: backwardWeights)
      }
      finishWeightGradient()
      return [diffSrc]
    }
  }

  /// Turns the gradient of the weights computed with into that of the master weights.
  private func finishWeightGradient() {
    if let savedStep {
      // The forward pass read levels x / step: d/dw of conv(x, w) is step × that of conv(levels, w).
      for index in 0..<weight.gradient.elementCount { weight.gradient.buffer[index] *= savedStep }
    }
    // The buffer may be longer than the weights (allocations are at least 64 bytes).
    mixer?.backward(UnsafeMutableBufferPointer(rebasing: weight.gradient.buffer[0..<weight.gradient.elementCount]))
  }

  private func oneDNNWeightGradient(
    _ gradient: Tensor, input: Tensor, converted: Tensor?, primitive backwardWeights: Primitive
  ) throws {
    let src = input.reordered(to: backwardWeights.md(dnnl_query_src_md))
    let wanted = backwardWeights.md(dnnl_query_diff_dst_md)
    let diffDstW = converted.flatMap { $0.descriptor == wanted ? $0 : nil } ?? gradient.reordered(to: wanted)
    let diffWeights = Tensor(backwardWeights.md(dnnl_query_diff_weights_md))
    var arguments = [(DNNL_ARG_SRC, src), (DNNL_ARG_DIFF_DST, diffDstW), (DNNL_ARG_DIFF_WEIGHTS, diffWeights)]
    if let bias { arguments.append((DNNL_ARG_DIFF_BIAS, bias.gradient)) }
    backwardWeights.execute(arguments)
    copyPlain(diffWeights.reordered(to: .plain(weight.value.dims)), into: weight.gradient)
  }
}
