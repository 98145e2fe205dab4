/// Builds an `Architecture` layer by layer, computing every output shape, so zoo models
/// read like the papers that define them.
package struct ArchitectureBuilder {
  package let name: String
  package let inputShape: FeatureShape
  package let classes: Int
  private(set) var layers: [Layer] = []
  private var shapes: [String: FeatureShape]
  private var replaceable: [ReplaceableBlock] = []

  package init(name: String, input: FeatureShape, classes: Int) {
    self.name = name
    self.inputShape = input
    self.classes = classes
    self.shapes = [Architecture.inputName: input]
  }

  /// The output shape of the layer `name` (or of the model input).
  package func shape(of name: String) -> FeatureShape {
    guard let shape = shapes[name] else { preconditionFailure("zoo bug: no layer named \(name)") }
    return shape
  }

  /// The most recently added layer's name (the model input before any layer).
  package var last: String { layers.last?.name ?? Architecture.inputName }

  /// Appends a layer fed by `inputs` (default: the previous layer); returns its name.
  @discardableResult
  package mutating func add(_ name: String, _ operation: LayerOperation, from inputs: [String]? = nil) -> String {
    precondition(shapes[name] == nil, "zoo bug: duplicate layer name \(name)")
    let inputs = inputs ?? [last]
    let input = shape(of: inputs[0])
    let output: FeatureShape
    switch operation {
    case .convolution(let conv), .mixedConvolution(let conv, _):
      precondition(input.channels % conv.groups == 0, "zoo bug: \(name) groups do not divide channels")
      output = FeatureShape(
        channels: conv.outChannels,
        height: (input.height + 2 * conv.padding - conv.kernel) / conv.stride + 1,
        width: (input.width + 2 * conv.padding - conv.kernel) / conv.stride + 1)
    case .maxPool(let kernel, let stride, let padding):
      output = FeatureShape(
        channels: input.channels, height: (input.height + 2 * padding - kernel) / stride + 1,
        width: (input.width + 2 * padding - kernel) / stride + 1)
    case .averagePool(let kernel, let stride):
      output = FeatureShape(
        channels: input.channels, height: (input.height - kernel) / stride + 1,
        width: (input.width - kernel) / stride + 1)
    case .globalAveragePool:
      output = FeatureShape(channels: input.channels, height: 1, width: 1)
    case .flatten:
      output = FeatureShape(channels: input.elementCount, height: 1, width: 1)
    case .linear(let out, _):
      output = FeatureShape(channels: out, height: 1, width: 1)
    case .add:
      precondition(inputs.allSatisfy { shape(of: $0) == input }, "zoo bug: \(name) adds different shapes")
      output = input
    case .batchNorm, .relu, .relu6, .dropout, .channelMask, .activationQuantizer:
      output = input
    }
    layers.append(Layer(name: name, operation: operation, inputs: inputs, inputShape: input, outputShape: output))
    shapes[name] = output
    return name
  }

  /// Convolution → batch norm → ReLU (or ReLU6), named `name`, `name.bn`, `name.relu`.
  @discardableResult
  package mutating func convBNReLU(
    _ name: String, _ conv: Convolution, relu6: Bool = false, activation: Bool = true, from input: String? = nil
  ) -> String {
    add(name, .convolution(conv), from: input.map { [$0] })
    add("\(name).bn", .batchNorm)
    if activation { add("\(name).relu", relu6 ? .relu6 : .relu) }
    return last
  }

  /// Marks a depthwise + pointwise pair as replaceable by the search.
  package mutating func markReplaceable(_ name: String, depthwise: String, pointwise: String) {
    replaceable.append(ReplaceableBlock(name: name, depthwise: depthwise, pointwise: pointwise))
  }

  package func build() -> Architecture {
    Architecture(name: name, inputShape: inputShape, classes: classes, layers: layers, replaceableBlocks: replaceable)
  }
}
