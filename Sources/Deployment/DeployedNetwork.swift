import Engine
import Foundation
import Hardware
import Models
import Search
import Support

/// A trained network as it would run: its executable graph, its values, each convolution's
/// weights as the deployed layer holds them and, for searched and hand-made mappings, the
/// compute unit of every output channel. What the ONNX and PyTorch exports are made from.
package struct DeployedNetwork {
  /// A compute unit the network's channels run on.
  package struct Unit: Sendable, Equatable {
    package let name: String
    /// The unit's weight format ("int8", "ternary", "float32").
    package let weightFormat: String
  }

  /// A block whose output channels are each computed by one of several operators (a
  /// Darkside standard convolution or depthwise one), joined by complementary masks.
  package struct AlternativeBlock: Sendable {
    /// The layer summing the masked branches.
    package let sum: String
    package let branches: [Branch]
  }

  /// One operator of an `AlternativeBlock`: its layers (convolution first) and mask.
  package struct Branch: Sendable {
    package let layers: [String]
    package let mask: String
    /// Index into `units`.
    package let unit: Int
    /// The output channels this branch computes (its mask's non-zero entries), ascending.
    package let channels: [Int]
  }

  /// Where the network came from (a checkpoint or a run file).
  package let source: String
  /// The dataset the network was trained on, as its file recorded it (nil: a checkpoint
  /// whose configuration this odimo cannot read).
  package let dataset: String?
  /// The executable network (for reference logits).
  let network: Network
  package let architecture: Architecture
  /// Every parameter and buffer by its PyTorch-style name ("stage1.block0.conv1.weight").
  package let values: [String: [Float]]
  /// Every convolution's deployed weights, by layer name.
  package let convolutions: [String: DeployedConvolution]
  /// The SoC's units (empty for a checkpoint, which has no mapping).
  package let units: [Unit]
  /// Per weight layer, the unit (index into `units`) of every output channel.
  package let channelUnits: [String: [Int]]
  /// The cost model's layer each weight layer belongs to (for `odimo.layer` annotations).
  package let planLayer: [String: String]
  package let blocks: [AlternativeBlock]
  /// Key–value facts for the exported model's metadata (SoC, mapping, λ, accuracy, cost,
  /// versions, the source file's SHA-256), in a stable order.
  package let metadata: [(key: String, value: String)]

  /// Weight layer names of the architecture, in order.
  var weightLayerNames: [String] { architecture.weightLayers.map(\.name) }
}

extension DeployedNetwork {
  /// The best weights of an `odimo train` checkpoint (float, no mapping).
  package init(checkpoint path: String, producer version: String) throws {
    let (architecture, state) = try Checkpoint.inspect(path)
    let network = Network(architecture, seed: state.seed)
    try Checkpoint.load(path, into: network)
    // Only the reference batch needs the dataset; a configuration written by another odimo
    // version must not stop the export itself.
    let configuration = try? JSONDecoder.snakeCase.decode(
      TrainingConfiguration.self, from: Data(state.configuration.utf8))
    self.init(
      source: path, dataset: configuration?.data, network: network, units: [], channelUnits: [:], planLayer: [:],
      blocks: [],
      metadata: [
        ("odimo.source_format", Checkpoint.formatName), ("odimo.model", architecture.name),
        ("odimo.epoch", "\(state.bestEpoch)"),
        ("odimo.validation_accuracy", "\(state.bestValidationAccuracy)"),
        ("odimo.version", version), ("odimo.source_sha256", try RunProvenance.sha256(of: path)),
      ])
  }

  init(
    source: String, dataset: String?, network: Network, units: [Unit], channelUnits: [String: [Int]],
    planLayer: [String: String],
    blocks: [AlternativeBlock], metadata: [(String, String)]
  ) {
    self.source = source
    self.dataset = dataset
    self.network = network
    architecture = network.architecture
    values = network.snapshot()
    var convolutions: [String: DeployedConvolution] = [:]
    for layer in network.architecture.layers {
      if let deployed = network.deployedConvolution(layer.name) { convolutions[layer.name] = deployed }
    }
    self.convolutions = convolutions
    self.units = units
    self.channelUnits = channelUnits
    self.planLayer = planLayer
    self.blocks = blocks
    self.metadata = metadata.map { (key: $0.0, value: $0.1) }
  }

  /// The value named `name`, or an error naming the layer that needs it.
  func value(_ name: String) throws -> [Float] {
    guard let values = values[name] else { throw ExportError.missingValue(file: source, name: name) }
    return values
  }
}
