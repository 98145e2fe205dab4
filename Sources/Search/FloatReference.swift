import Datasets
import Engine
import Foundation
import HDF5
import Models
import Support

/// The full-precision reference of a sweep: the plain zoo model in float, trained for
/// as many epochs as a baseline gets (warmup + fine-tune) with the preset's batch and
/// learning rate, written as `reference.h5` (an `odimo train` checkpoint) and summarised in
/// `reference.json`.
package enum FloatReference {
  package static let checkpointName = "reference.h5"
  package static let summaryName = "reference.json"

  package struct Summary: Codable, Sendable, Equatable {
    package var checkpoint: String
    package var model: String
    package var epochs: Int
    package var testAccuracy: Double
  }

  package static func configuration(_ search: SearchConfiguration) throws -> TrainingConfiguration {
    let preset = search.preset
    let images = try DatasetFile(path: search.data).split("train").count
    return TrainingConfiguration(
      model: search.model, width: search.width, data: search.data,
      epochs: max(1, preset.warmupEpochs + preset.fineTuneEpochs),
      // As in the searches: no batch larger than the images trained on.
      batchSize: min(preset.batchSize, min(images, search.trainLimit ?? images)),
      learningRate: preset.learningRate, seed: search.seed, trainLimit: search.trainLimit,
      stemStride: search.stemStride)
  }

  @discardableResult
  package static func train(_ search: SearchConfiguration, folder: String, observer: RunObserver = .silent) throws
    -> Summary
  {
    let path = folder + "/" + checkpointName
    let training = try configuration(search)
    observer.begin(RunObserver.Run(path: path, channelTags: []))
    // A killed reference continues from its last epoch (its checkpoint keeps the optimizer state).
    let trained = try TrainingRun.run(
      training, checkpoint: path, resume: FileManager.default.fileExists(atPath: path)
    ) { event in
      switch event {
      case .step(let epoch, let step, let steps, let loss, let accuracy, let rate):
        observer.stepProgress(phase: "reference", epoch: epoch + 1, epochs: training.epochs)(
          step, steps, loss, accuracy, rate)
      case .epochFinished(let metrics, _): observer.floatEpoch(metrics, training.epochs)
      case .resumed: break
      }
    }
    let summary = Summary(
      checkpoint: URL(fileURLWithPath: path).standardizedFileURL.path, model: search.model, epochs: trained.epochs,
      testAccuracy: trained.testAccuracy)
    try SafeWrite.write(try Sweep.encoder().encode(summary), to: folder + "/" + summaryName)
    return summary
  }

  /// Reads `reference.json` of a sweep folder, if there is one.
  package static func read(folder: String) throws -> Summary? {
    guard let data = FileManager.default.contents(atPath: folder + "/" + summaryName) else { return nil }
    return try JSONDecoder.snakeCase.decode(Summary.self, from: data)
  }

  /// Test accuracy recomputed from a reference checkpoint's best weights.
  package static func recomputedAccuracy(checkpoint: String, data: String) throws -> Double {
    let (architecture, _) = try Checkpoint.inspect(checkpoint)
    let network = Network(architecture, seed: 0)
    try Checkpoint.load(checkpoint, into: network)
    let trainer = Trainer(network: network, optimizer: SGD(parameters: network.parameters, learningRate: 0))
    let test = try BatchLoader.evaluation(path: data, split: "test")
    return try trainer.evaluate(test).accuracy
  }
}
