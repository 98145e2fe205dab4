import Models

/// A convolution's weights as the deployed layer holds them.
package struct DeployedConvolution: Sendable {
  /// Effective weights in PyTorch's plain [O, I/groups, K, K] order: the quantized values
  /// (dequantized to float) where the layer quantizes, the master weights where it does not.
  package let weight: [Float]
  package let shape: [Int]
  package let bias: [Float]?
  /// Per output channel, the format it computes in (nil: float).
  package let channelFormats: [WeightQuantization?]
  /// Per output channel, the step between representable weights (int8: the layer's
  /// power-of-two scale; ternary: the channel's learned scale); nil for float channels.
  /// Every quantized weight is an integer multiple of its channel's step.
  package let channelSteps: [Float?]

  package init(
    weight: [Float], shape: [Int], bias: [Float]?, channelFormats: [WeightQuantization?], channelSteps: [Float?]
  ) {
    self.weight = weight
    self.shape = shape
    self.bias = bias
    self.channelFormats = channelFormats
    self.channelSteps = channelSteps
  }
}

extension Network {
  /// Every parameter's and buffer's shape as PyTorch gives it, by the names `snapshot()` uses.
  package var valueShapes: [String: [Int]] {
    var shapes: [String: [Int]] = [:]
    for parameter in parameters { shapes[parameter.name] = Checkpoint.storedShape(parameter.value) }
    for (name, tensor) in buffers { shapes[name] = tensor.dims }
    return shapes
  }

  /// The deployed weights of the convolution `layer` (nil if it is not a convolution):
  /// every channel in the one format its mixed layer assigns it (the frozen mapping, else
  /// the most probable alternative).
  package func deployedConvolution(_ layer: String) -> DeployedConvolution? {
    guard let kernel = kernel(named: layer) as? ConvolutionKernel else { return nil }
    let master = kernel.weight.value.values()
    let shape = Checkpoint.storedShape(kernel.weight.value)
    let bias = kernel.bias?.value.values()
    guard let mixer = kernel.mixer else {
      let channels = kernel.spec.outChannels
      return DeployedConvolution(
        weight: master, shape: shape, bias: bias, channelFormats: .init(repeating: nil, count: channels),
        channelSteps: .init(repeating: nil, count: channels))
    }
    let (weights, formats, steps) = mixer.deployed(master)
    return DeployedConvolution(weight: weights, shape: shape, bias: bias, channelFormats: formats, channelSteps: steps)
  }
}
