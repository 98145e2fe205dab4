import CDNNL
import Foundation
import Models
import Support

/// A zoo architecture made executable: one kernel per layer, run in topological order,
/// with backward propagation through the same graph.
package final class Network {
  package let architecture: Architecture
  private let kernels: [String: any Kernel]
  /// Trainable parameters in layer order.
  package let parameters: [Parameter]
  private var activations: [String: Tensor] = [:]
  /// Each layer's consumers by name (the layers that read its output).
  let consumers: [String: [String]]
  /// Whether the channel masks stay as they are for the rest of training (a frozen
  /// mapping); then a branch its mask switches off is skipped in training too
  /// (`skippedLayers`). The search sets it; it never changes a number.
  package var masksAreFrozen = false
  /// The layers the last training forward pass skipped (its backward pass skips them too).
  private var skippedInTraining: Set<String> = []
  /// When non-nil, seconds spent in each layer's forward and backward are added here.
  package var profile: [String: (forward: Double, backward: Double)]?

  /// What its convolutions compute in.
  package let precision: Precision

  /// Builds the network with weights initialised from `seed` (PyTorch's schemes), its
  /// convolutions computing in `precision`.
  package init(_ architecture: Architecture, seed: UInt64, precision: Precision = .fp32) {
    self.architecture = architecture
    self.precision = precision
    var generator = SplitMix64(seed: seed)
    var kernels: [String: any Kernel] = [:]
    // A batch norm or residual add whose only consumer is a ReLU computes that ReLU itself.
    var consumers: [String: [Layer]] = [:]
    for layer in architecture.layers { for input in layer.inputs { consumers[input, default: []].append(layer) } }
    var fusedReLUs: Set<String> = []
    for layer in architecture.layers where layer.operation == .batchNorm || layer.operation == .add {
      if let only = consumers[layer.name], only.count == 1, only[0].operation == .relu {
        fusedReLUs.insert(only[0].name)
      }
    }
    for (index, layer) in architecture.layers.enumerated() {
      let kernel: any Kernel
      if fusedReLUs.contains(layer.name) {
        kernels[layer.name] = IdentityKernel()
        continue
      }
      switch layer.operation {
      case .convolution(let conv), .mixedConvolution(let conv, _):
        var formats: [WeightQuantization?]?
        if case .mixedConvolution(_, let mixed) = layer.operation { formats = mixed }
        let convolution = ConvolutionKernel(
          name: layer.name, spec: conv, inChannels: layer.inputShape.channels, formats: formats, precision: precision,
          generator: &generator)
        convolution.computesInputGradient = layer.inputs != [Architecture.inputName]
        kernel = convolution
      case .batchNorm:
        let fused = consumers[layer.name].map { $0.count == 1 && fusedReLUs.contains($0[0].name) } ?? false
        kernel = BatchNormKernel(name: layer.name, channels: layer.outputShape.channels, fusedReLU: fused)
      case .relu: kernel = ActivationKernel(bound: nil)
      case .relu6: kernel = ActivationKernel(bound: 6)
      case .maxPool(let size, let stride, let padding):
        kernel = PoolingKernel(kind: .max, kernel: size, stride: stride, padding: padding)
      case .averagePool(let size, let stride):
        kernel = PoolingKernel(kind: .average, kernel: size, stride: stride, padding: 0)
      case .globalAveragePool: kernel = PoolingKernel(kind: .average, kernel: nil, stride: 1, padding: 0)
      case .flatten: kernel = FlattenKernel()
      case .linear(let out, let bias):
        kernel = LinearKernel(
          name: layer.name, inFeatures: layer.inputShape.elementCount, outFeatures: out, bias: bias,
          generator: &generator)
      case .add:
        let fused = consumers[layer.name].map { $0.count == 1 && fusedReLUs.contains($0[0].name) } ?? false
        kernel = AddKernel(fusedReLU: fused)
      case .dropout(let p): kernel = DropoutKernel(probability: p, seed: seed &+ UInt64(index))
      case .channelMask: kernel = ChannelMaskKernel(name: layer.name, channels: layer.outputShape.channels)
      case .activationQuantizer(let bits): kernel = ActivationQuantizerKernel(name: layer.name, bits: bits)
      }
      kernels[layer.name] = kernel
    }
    self.kernels = kernels
    self.consumers = consumers.mapValues { $0.map(\.name) }
    parameters = architecture.layers.flatMap { kernels[$0.name]?.parameters ?? [] }
  }

  /// The kernel computing `name` (nil for a ReLU another kernel computes, or no such layer).
  func kernel(named name: String) -> (any Kernel)? { kernels[name] }

  /// The layers whose weight formats are mixed per channel, in layer order (the
  /// search's handles on α, temperature and soft channel counts).
  package var mixedLayers: [any MixedLayer] {
    architecture.layers.compactMap { layer in
      guard case .mixedConvolution = layer.operation else { return nil }
      return (kernels[layer.name] as? ConvolutionKernel)?.mixer
    }
  }

  /// Refits every quantizer scale that is derived from the weights (ternary scales) to
  /// the current weights: after `restore` replaced the weights they were fitted to.
  package func refitQuantizerScales() {
    for kernel in kernels.values {
      guard let convolution = kernel as? ConvolutionKernel else { continue }
      convolution.mixer?.fitScales(to: convolution.weight.value.values())
    }
  }

  /// Sets every PACT clip α to the `fraction` quantile of its input's positive values on
  /// `input` (the network run with activations unquantized): a starting clip that fits the
  /// activations, where a fixed one would waste most of the levels on small ones or
  /// clip large ones. Layers that see no positive value keep their clip.
  package func calibrateActivationClips(on input: Tensor, fraction: Double = 0.999) throws {
    let quantizers = kernels.values.compactMap { $0 as? ActivationQuantizerKernel }
    for quantizer in quantizers { quantizer.observing = fraction }
    defer { for quantizer in quantizers { quantizer.observing = nil } }
    _ = try forward(input, training: false)
    for quantizer in quantizers {
      if let clip = quantizer.observedClip { quantizer.alpha.value.buffer[0] = max(clip, 1e-2) }
    }
  }

  /// The architecture parameters (the mixed layers' logits α), which the search trains
  /// with its own optimizer.
  package var logitParameters: [Parameter] { mixedLayers.map(\.logits) }

  /// The channel masks of `.channelMask` layers by layer name; the search sets their
  /// values and reads their gradients.
  package var masks: [String: Parameter] {
    var found: [String: Parameter] = [:]
    for layer in architecture.layers where layer.operation == .channelMask {
      if let kernel = kernels[layer.name] as? ChannelMaskKernel { found[layer.name] = kernel.mask }
    }
    return found
  }

  /// Every parameter except the logits α and the channel masks (the weights' optimizer
  /// trains these).
  package var weightParameters: [Parameter] {
    let excluded = Set((logitParameters + Array(masks.values)).map { ObjectIdentifier($0) })
    return parameters.filter { !excluded.contains(ObjectIdentifier($0)) }
  }

  /// Batch-norm running statistics by name ("<layer>.running_mean", "<layer>.running_var").
  package var buffers: [(name: String, tensor: Tensor)] {
    architecture.layers.flatMap { layer -> [(String, Tensor)] in
      guard let bn = kernels[layer.name] as? BatchNormKernel else { return [] }
      return [("\(layer.name).running_mean", bn.runningMean), ("\(layer.name).running_var", bn.runningVariance)]
    }
  }

  /// A copy of every parameter and buffer value by name (plain order).
  package func snapshot() -> [String: [Float]] {
    var values: [String: [Float]] = [:]
    for parameter in parameters { values[parameter.name] = parameter.value.values() }
    for (name, tensor) in buffers { values[name] = tensor.values() }
    return values
  }

  /// Restores values taken by `snapshot()`.
  package func restore(_ snapshot: [String: [Float]]) throws {
    let targets = parameters.map { ($0.name, $0.value) } + buffers.map { ($0.name, $0.tensor) }
    for (name, tensor) in targets {
      guard let values = snapshot[name] else {
        throw EngineError.weightsDoNotFit(
          model: architecture.name, tensor: name, stored: nil, needed: tensor.elementCount)
      }
      guard values.count == tensor.elementCount else {
        throw EngineError.weightsDoNotFit(
          model: architecture.name, tensor: name, stored: values.count, needed: tensor.elementCount)
      }
      values.withUnsafeBufferPointer { tensor.storage.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 4) }
    }
  }

  /// Runs the network on `input` ([N, C, H, W]); returns the logits [N, classes].
  package func forward(_ input: Tensor, training: Bool) throws -> Tensor {
    let expected = architecture.inputShape
    guard input.dims.count == 4, input.dims[1] == expected.channels, input.dims[2] == expected.height,
      input.dims[3] == expected.width
    else {
      throw EngineError.inputShape(model: architecture.name, expected: "\(expected)", got: input.dims)
    }
    activations = [Architecture.inputName: input]
    let skipped = skippedLayers(training: training)
    skippedInTraining = training ? skipped : []
    if training { clearGradients(of: skipped) }
    var last = input
    for layer in architecture.layers where !skipped.contains(layer.name) {
      guard let kernel = kernels[layer.name] else { continue }
      let kept = layer.inputs.filter { !skipped.contains($0) }
      if kept.count == 1, layer.inputs.count > 1, let tensor = activations[kept[0]] {
        // A sum whose other inputs are switched off: exactly its remaining input.
        last = tensor
        activations[layer.name] = tensor
        continue
      }
      let inputs = try layer.inputs.map { name -> Tensor in
        guard let tensor = activations[name] else {
          throw EngineError.kernelMisuse(kernel: layer.name, detail: "input \(name) not computed")
        }
        return tensor
      }
      let started = profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
      last = try kernel.forward(inputs, training: training)
      if profile != nil {
        profile?[layer.name, default: (0, 0)].forward += Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
      }
      activations[layer.name] = last
    }
    if !training { activations = [:] }
    return last.reordered(to: .plain(last.dims))
  }

  /// Back-propagates `gradient` (d loss / d logits, [N, classes]) through the network,
  /// leaving every parameter's gradient in `Parameter.gradient`.
  package func backward(_ gradient: Tensor) throws {
    guard let final = architecture.layers.last else { return }
    var gradients: [String: Tensor] = [final.name: gradient]
    for layer in architecture.layers.reversed() {
      guard let kernel = kernels[layer.name], let outputGradient = gradients.removeValue(forKey: layer.name) else {
        continue
      }
      if let only = layer.inputs.first(where: { !skippedInTraining.contains($0) }),
        layer.inputs.contains(where: skippedInTraining.contains)
      {
        try accumulate(outputGradient, into: &gradients, for: only)
        continue
      }
      let started = profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
      let inputGradients = try kernel.backward(outputGradient)
      if profile != nil {
        profile?[layer.name, default: (0, 0)].backward += Double(DispatchTime.now().uptimeNanoseconds - started) * 1e-9
      }
      for (name, inputGradient) in zip(layer.inputs, inputGradients) {
        try accumulate(inputGradient, into: &gradients, for: name)
      }
    }
    activations = [:]
  }

  /// Adds `gradient` to what `name` has received (a layer feeding several consumers
  /// receives all their gradients); the network's input takes none.
  private func accumulate(_ gradient: Tensor, into gradients: inout [String: Tensor], for name: String) throws {
    guard name != Architecture.inputName else { return }
    if let existing = gradients[name] {
      gradients[name] = try sum(existing, gradient)
    } else {
      gradients[name] = gradient
    }
  }

  private let gradientSum = AddKernel()

  /// a + b in a's layout (a layer feeding two consumers receives both gradients).
  private func sum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
    try gradientSum.forward([a, b], training: false)
  }
}
