import Foundation
import HDF5
import Models
import Support

/// Training checkpoints as HDF5 (format `odimo-checkpoint`, documented in
/// datasets/FORMATS.md): the architecture as JSON, every parameter and batch-norm
/// statistic under its PyTorch name and shape, optimizer state, progress and metrics.
/// h5py loads every tensor by name; every dataset carries a fletcher32 checksum.
package enum Checkpoint {
  package static let formatName = "odimo-checkpoint"
  /// 2: the architecture in the stable JSON of `LayerOperation+Coding` (1: Swift's enum coding).
  package static let formatVersion = 2

  /// One epoch's figures.
  package struct EpochMetrics: Codable, Sendable, Equatable {
    package var epoch: Int
    package var trainLoss: Double
    package var trainAccuracy: Double
    package var validationLoss: Double
    package var validationAccuracy: Double
    package var learningRate: Double
    package var imagesPerSecond: Double

    package init(
      epoch: Int, trainLoss: Double, trainAccuracy: Double, validationLoss: Double, validationAccuracy: Double,
      learningRate: Double, imagesPerSecond: Double
    ) {
      self.epoch = epoch
      self.trainLoss = trainLoss
      self.trainAccuracy = trainAccuracy
      self.validationLoss = validationLoss
      self.validationAccuracy = validationAccuracy
      self.learningRate = learningRate
      self.imagesPerSecond = imagesPerSecond
    }
  }

  /// What is saved besides tensors.
  package struct State: Codable, Sendable {
    /// Epochs completed.
    package var epoch: Int
    package var bestEpoch: Int
    package var bestValidationAccuracy: Double
    package var seed: UInt64
    /// The run's configuration as JSON (compared on resume).
    package var configuration: String
    package var history: [EpochMetrics]
  }

  /// The PyTorch shape of a parameter (grouped convolution weights are stored 5-D by
  /// oneDNN, [O, I/g, K, K] by PyTorch; the bytes are the same).
  static func storedShape(_ tensor: Tensor) -> [Int] {
    let dims = tensor.dims
    return dims.count == 5 ? [dims[0] * dims[1], dims[2], dims[3], dims[4]] : dims
  }

  /// Writes tensors under `group`: parameters and buffers from `values` (a network
  /// snapshot), shaped as `network`'s, and the optimizer's velocity if given.
  static func writeTensors(
    _ values: [String: [Float]], network: Network, optimizer: SGD?, to file: HDF5File, group: String
  )
    throws
  {
    let prefix = group == "/" ? "" : group
    for parameter in network.parameters {
      try file.write(
        values[parameter.name] ?? [], to: "\(prefix)/parameters/\(parameter.name)", shape: storedShape(parameter.value),
        options: .archived())
    }
    for (name, tensor) in network.buffers {
      try file.write(values[name] ?? [], to: "\(prefix)/buffers/\(name)", shape: tensor.dims, options: .archived())
    }
    guard let optimizer else { return }
    for parameter in network.parameters {
      if let velocity = optimizer.velocity[parameter.name] {
        try file.write(
          velocity, to: "\(prefix)/optimizer/velocity/\(parameter.name)", shape: storedShape(parameter.value),
          options: .archived())
      }
    }
  }

  /// Saves a checkpoint with the best weights (`best`, a snapshot) at the root and the
  /// latest state (for `--resume`) under `/last`, replacing `path` atomically.
  package static func save(
    path: String, network: Network, best: [String: [Float]], optimizer: SGD, state: State
  ) throws {
    try SafeWrite.hdf5(path) { file in
      let encoder = JSONEncoder.sorted
      try file.setAttribute("format", .string(formatName))
      try file.setAttribute("format_version", .int(Int64(formatVersion)))
      try file.setAttribute("model", .string(network.architecture.name))
      try file.setAttribute(
        "architecture", .string(String(decoding: try encoder.encode(network.architecture), as: UTF8.self)))
      try file.setAttribute("state", .string(String(decoding: try encoder.encode(state), as: UTF8.self)))
      try file.setAttribute("epoch", .int(Int64(state.epoch)))
      try file.setAttribute("best_epoch", .int(Int64(state.bestEpoch)))
      try file.setAttribute("best_validation_accuracy", .double(state.bestValidationAccuracy))
      try file.setAttribute("seed", .int(Int64(bitPattern: state.seed)))
      try writeTensors(best, network: network, optimizer: nil, to: file, group: "/")
      try writeTensors(network.snapshot(), network: network, optimizer: optimizer, to: file, group: "/last")
      let columns: [(String, (EpochMetrics) -> Double)] = [
        ("epoch", { Double($0.epoch) }), ("train_loss", \.trainLoss), ("train_accuracy", \.trainAccuracy),
        ("validation_loss", \.validationLoss), ("validation_accuracy", \.validationAccuracy),
        ("learning_rate", \.learningRate), ("images_per_second", \.imagesPerSecond),
      ]
      for (name, value) in columns {
        try file.write(state.history.map(value), to: "metrics/\(name)", options: .archived(extendable: true))
      }
    }
  }

  /// Reads a checkpoint's architecture and state, checking the format.
  package static func inspect(_ path: String) throws -> (architecture: Architecture, state: State) {
    let file = try HDF5File.open(path)
    defer { file.close() }
    guard file.hasAttribute("format"), try file.attribute("format").stringValue == formatName else {
      throw EngineError.checkpoint(file: path, problem: .notACheckpoint)
    }
    if file.hasAttribute("format_version") {
      let version = try file.attribute("format_version").intValue ?? 0
      guard (1...Int64(formatVersion)).contains(version) else {
        throw EngineError.checkpoint(file: path, problem: .newerVersion(version))
      }
    }
    let decoder = JSONDecoder.snakeCase
    guard let architectureText = try file.attribute("architecture").stringValue,
      let stateText = try file.attribute("state").stringValue
    else { throw EngineError.checkpoint(file: path, problem: .missingAttribute("architecture or state")) }
    do {
      return (
        try decoder.decode(Architecture.self, from: Data(architectureText.utf8)),
        try decoder.decode(State.self, from: Data(stateText.utf8))
      )
    } catch {
      throw EngineError.checkpoint(file: path, problem: .unreadable("\(error)"))
    }
  }

  /// Loads tensors of `group` ("/" best, "/last" latest) into `network` (and the
  /// optimizer's velocity), checking every name and shape.
  package static func load(_ path: String, group: String = "/", into network: Network, optimizer: SGD? = nil) throws {
    let file = try HDF5File.open(path)
    defer { file.close() }
    let prefix = group == "/" ? "" : group
    for parameter in network.parameters {
      let name = "\(prefix)/parameters/\(parameter.name)"
      guard file.contains(name) else {
        throw EngineError.checkpoint(file: path, problem: .missingTensor(parameter.name))
      }
      let values = try file.dataset(name).read(as: Float.self, expectingShape: storedShape(parameter.value))
      values.withUnsafeBufferPointer {
        parameter.value.storage.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 4)
      }
    }
    for (bufferName, tensor) in network.buffers {
      let values = try file.dataset("\(prefix)/buffers/\(bufferName)").read(as: Float.self, expectingShape: tensor.dims)
      values.withUnsafeBufferPointer { tensor.storage.copyMemory(from: $0.baseAddress!, byteCount: $0.count * 4) }
    }
    if let optimizer {
      var velocity: [String: [Float]] = [:]
      for parameter in network.parameters where file.contains("\(prefix)/optimizer/velocity/\(parameter.name)") {
        velocity[parameter.name] = try file.read("\(prefix)/optimizer/velocity/\(parameter.name)", as: Float.self)
      }
      optimizer.restore(velocity: velocity)
    }
  }
}
