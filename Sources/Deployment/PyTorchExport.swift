import Engine
import Foundation
import Models

/// A standalone PyTorch module (`model.py`) with odimo's layer names and the weights as
/// safetensors, so `model.load_state_dict(load_file("model.safetensors"))` restores the
/// network exactly: convolutions hold their deployed (quantized) weights, PACT activation
/// quantizers and channel masks are small modules defined in the file.
package struct PyTorchExport {
  package let source: String
  package let tensors: SafeTensors

  package init(_ network: DeployedNetwork, version: String) throws {
    var lines: [String] = []
    var steps: [String] = []
    var tensors = SafeTensors()
    for layer in network.architecture.layers {
      let (module, step) = try Self.lower(layer, network, into: &tensors)
      if let module { lines.append("        _place(self, \(Self.quoted(layer.name)), \(module))") }
      steps.append("        v[\(Self.quoted(layer.name))] = \(step)")
    }
    tensors.metadata = Dictionary(network.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
    tensors.metadata["format"] = "pt"
    let last = network.architecture.layers.last?.name ?? Architecture.inputName
    let shape = network.architecture.inputShape
    source =
      Self.header(network, version: version) + """

        class Model(nn.Module):
            \"\"\"\(network.architecture.name): input N×\(shape.channels)×\(shape.height)×\(shape.width) (normalised as odimo \
        feeds it), output N×\(network.architecture.classes) logits.\"\"\"

            def __init__(self):
                super().__init__()
        \(lines.joined(separator: "\n"))

            def forward(self, input):
                m = self.get_submodule
                v = {"input": input}
        \(steps.joined(separator: "\n"))
                return v[\(Self.quoted(last))]

        """
    self.tensors = tensors
  }

  /// A layer's module constructor (nil: none) and forward expression; its tensors added.
  static func lower(_ layer: Layer, _ network: DeployedNetwork, into tensors: inout SafeTensors) throws -> (
    String?, String
  ) {
    let name = layer.name
    let input = layer.inputs.first.map { "v[\(quoted($0))]" } ?? "input"
    let call = "m(\(quoted(name)))(\(input))"
    switch layer.operation {
    case .convolution(let conv), .mixedConvolution(let conv, _):
      guard let deployed = network.convolutions[name] else {
        throw ExportError.missingValue(file: network.source, name: "\(name).weight")
      }
      tensors.add("\(name).weight", deployed.weight, shape: deployed.shape)
      if let bias = deployed.bias { tensors.add("\(name).bias", bias, shape: [bias.count]) }
      let module =
        "nn.Conv2d(\(layer.inputShape.channels), \(conv.outChannels), \(conv.kernel), stride=\(conv.stride), "
        + "padding=\(conv.padding), groups=\(conv.groups), bias=\(deployed.bias == nil ? "False" : "True"))"
      return (module, call)
    case .batchNorm:
      for suffix in ["weight", "bias", "running_mean", "running_var"] {
        let values = try network.value("\(name).\(suffix)")
        tensors.add("\(name).\(suffix)", values, shape: [values.count])
      }
      tensors.add("\(name).num_batches_tracked", [Int64(0)], shape: [])
      let module =
        "nn.BatchNorm2d(\(layer.outputShape.channels), eps=\(BatchNormalization.epsilon), "
        + "momentum=\(BatchNormalization.momentum))"
      return (module, call)
    case .relu: return ("nn.ReLU()", call)
    case .relu6: return ("nn.ReLU6()", call)
    case .maxPool(let kernel, let stride, let padding):
      return ("nn.MaxPool2d(\(kernel), stride=\(stride), padding=\(padding))", call)
    case .averagePool(let kernel, let stride): return ("nn.AvgPool2d(\(kernel), stride=\(stride))", call)
    case .globalAveragePool: return ("nn.AdaptiveAvgPool2d(1)", call)
    case .flatten: return ("nn.Flatten(1)", call)
    case .linear(let out, let bias):
      tensors.add("\(name).weight", try network.value("\(name).weight"), shape: [out, layer.inputShape.elementCount])
      if bias { tensors.add("\(name).bias", try network.value("\(name).bias"), shape: [out]) }
      return ("nn.Linear(\(layer.inputShape.elementCount), \(out), bias=\(bias ? "True" : "False"))", call)
    case .add:
      return (nil, layer.inputs.map { "v[\(quoted($0))]" }.joined(separator: " + "))
    case .dropout(let probability): return ("nn.Dropout(\(probability))", call)
    case .channelMask:
      let mask = try network.value("\(name).mask")
      tensors.add("\(name).mask", mask, shape: [mask.count])
      return ("ChannelMask(\(mask.count))", call)
    case .activationQuantizer(let bits):
      tensors.add("\(name).alpha", try network.value("\(name).alpha"), shape: [1])
      return ("PACT(\(bits))", call)
    }
  }

  /// A Python string literal.
  static func quoted(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
  }

  /// The imports, the helper modules and `_place`.
  static func header(_ network: DeployedNetwork, version: String) -> String {
    let facts = network.metadata.map { "#   \($0.key): \($0.value)" }.joined(separator: "\n")
    return """
      # \(network.architecture.name), exported by odimo \(version) from \(network.source).
      # Load it with:
      #   from safetensors.torch import load_file
      #   model = Model(); model.load_state_dict(load_file("model.safetensors")); model.eval()
      # Layer and tensor names are odimo's; convolutions hold their deployed weights.
      \(facts)
      import torch
      from torch import nn


      class PACT(nn.Module):
          \"\"\"Unsigned activation quantization to 2**bits - 1 levels of [0, alpha] (rounding half to even).\"\"\"

          def __init__(self, bits):
              super().__init__()
              self.bits = bits
              self.alpha = nn.Parameter(torch.ones(1))

          def forward(self, x):
              clip = torch.clamp(self.alpha, min=1e-3)
              levels = float(2**self.bits - 1)
              clipped = torch.minimum(torch.clamp(x, min=0), clip)
              return torch.round(clipped * (levels / clip)) * (clip / levels)


      class ChannelMask(nn.Module):
          \"\"\"Multiplies every channel by its mask value (1: computed by this branch, 0: by another).\"\"\"

          def __init__(self, channels):
              super().__init__()
              self.register_buffer("mask", torch.ones(channels))

          def forward(self, x):
              return x * self.mask.view(1, -1, 1, 1)


      def _place(root, path, module):
          \"\"\"Registers module under its dotted odimo name, so state_dict keys equal odimo's tensor names.\"\"\"
          *parents, leaf = path.split(".")
          node = root
          for part in parents:
              child = node._modules.get(part)
              if child is None:
                  child = nn.Module()
                  node.add_module(part, child)
              node = child
          existing = node._modules.get(leaf)
          if existing is not None:
              for name, child in existing._modules.items():
                  module.add_module(name, child)
          node.add_module(leaf, module)

      """
  }
}
