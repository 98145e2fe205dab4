import Datasets
import Foundation
import Models
import Support

/// Everything that defines a training run; saved in checkpoints and compared on resume.
package struct TrainingConfiguration: Codable, Sendable, Equatable {
  package var model: String
  package var width: Double
  package var data: String
  package var epochs: Int
  package var batchSize: Int
  package var learningRate: Double
  package var momentum: Double
  package var nesterov: Bool
  package var weightDecay: Double
  /// "cosine", "constant" or "multistep" (×0.1 at 50 % and 75 % of the epochs).
  package var schedule: String
  package var labelSmoothing: Double
  package var seed: UInt64
  /// Random crop (padding 4) and horizontal flip on training images.
  package var augment: Bool
  /// Train on the first N training images only (quick runs); nil: all.
  package var trainLimit: Int?
  /// MobileNetV1's first-layer stride (nil: the zoo's default for the resolution).
  package var stemStride: Int?
  /// What the convolutions compute in; nil is fp32 (and leaves the configuration JSON of
  /// fp32 runs as it was before the option, so their checkpoints still resume).
  package var precision: Precision?

  package init(
    model: String, width: Double = 1, data: String, epochs: Int, batchSize: Int, learningRate: Double = 0.1,
    momentum: Double = 0.9, nesterov: Bool = false, weightDecay: Double = 5e-4, schedule: String = "cosine",
    labelSmoothing: Double = 0, seed: UInt64 = 0, augment: Bool = true, trainLimit: Int? = nil, stemStride: Int? = nil,
    precision: Precision = .fp32
  ) {
    self.stemStride = stemStride
    self.precision = precision == .fp32 ? nil : precision
    self.model = model
    self.width = width
    self.data = data
    self.epochs = epochs
    self.batchSize = batchSize
    self.learningRate = learningRate
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
    self.schedule = schedule
    self.labelSmoothing = labelSmoothing
    self.seed = seed
    self.augment = augment
    self.trainLimit = trainLimit
  }

  var learningRateSchedule: LearningRateSchedule {
    switch schedule {
    case "constant": .constant
    case "multistep": .multiStep(milestones: [epochs / 2, epochs * 3 / 4], factor: 0.1)
    default: .cosine(epochs: epochs)
    }
  }

  /// Checks values a user controls.
  package func validate() throws {
    guard (1...1_000_000).contains(epochs) else {
      throw InvalidOption("--epochs", value: epochs, expected: "1…1,000,000")
    }
    guard (1...1_000_000).contains(batchSize) else {
      throw InvalidOption("--batch", value: batchSize, expected: "1…1,000,000")
    }
    guard learningRate > 0, learningRate.isFinite else {
      throw InvalidOption("--lr", value: learningRate, expected: "a finite number > 0")
    }
    if let trainLimit, trainLimit < 1 { throw InvalidOption("--train-limit", value: trainLimit, expected: "≥ 1 image") }
    guard (0..<1).contains(momentum) else { throw InvalidOption("--momentum", value: momentum, expected: "0 ≤ m < 1") }
    guard (0..<1).contains(labelSmoothing) else {
      throw InvalidOption("--label-smoothing", value: labelSmoothing, expected: "0 ≤ s < 1")
    }
    guard weightDecay >= 0, weightDecay.isFinite else {
      throw InvalidOption("--weight-decay", value: weightDecay, expected: "a finite number ≥ 0")
    }
    guard ["cosine", "constant", "multistep"].contains(schedule) else {
      throw InvalidOption("--schedule", value: schedule, expected: "cosine, constant or multistep")
    }
  }
}

/// The outcome of `odimo train`.
package struct TrainingSummary: Codable, Sendable {
  package let model: String
  package let checkpoint: String
  /// Top-1 accuracy (0–1) on the test split with the best-on-validation weights.
  package let testAccuracy: Double
  package let testTop5Accuracy: Double
  /// 1-based epoch whose weights were kept.
  package let bestEpoch: Int
  package let bestValidationAccuracy: Double
  /// The split used for selection (always "val": files without one are refused).
  package let validationSplit: String
  package let epochs: Int
  package let history: [Checkpoint.EpochMetrics]
}

/// Runs training with best-on-validation selection, a checkpoint per epoch and resume.
package enum TrainingRun {
  /// Progress reports.
  package enum Event: Sendable {
    case step(epoch: Int, step: Int, steps: Int, loss: Double, accuracy: Double, imagesPerSecond: Double)
    case epochFinished(Checkpoint.EpochMetrics, isBest: Bool)
    case resumed(fromEpoch: Int)
  }

  package static func run(
    _ configuration: TrainingConfiguration, checkpoint path: String, resume: Bool, report: (Event) -> Void = { _ in }
  ) throws -> TrainingSummary {
    try configuration.validate()
    let dataset = try DatasetFile(path: configuration.data)
    let validationSplit = try dataset.validationSplit()
    try dataset.checkForTraining()
    let architecture = try ModelZoo.make(
      configuration.model, for: dataset, width: configuration.width, stemStride: configuration.stemStride)
    let trainLoader = try BatchLoader(
      path: configuration.data, split: "train",
      options: LoaderOptions(
        batchSize: configuration.batchSize, seed: configuration.seed,
        augmentation: configuration.augment ? .cropAndFlip : .none,
        limit: configuration.trainLimit))
    let validationLoader = try BatchLoader.evaluation(path: configuration.data, split: validationSplit)
    let network = Network(architecture, seed: configuration.seed, precision: configuration.precision ?? .fp32)
    let optimizer = SGD(
      parameters: network.parameters, learningRate: Float(configuration.learningRate),
      momentum: Float(configuration.momentum),
      nesterov: configuration.nesterov, weightDecay: Float(configuration.weightDecay))
    let trainer = Trainer(
      network: network, optimizer: optimizer, loss: CrossEntropy(labelSmoothing: Float(configuration.labelSmoothing)))
    let configurationJSON = String(decoding: try JSONEncoder.sorted.encode(configuration), as: UTF8.self)

    var state = Checkpoint.State(
      epoch: 0, bestEpoch: 0, bestValidationAccuracy: -1, seed: configuration.seed, configuration: configurationJSON,
      history: [])
    var best = network.snapshot()
    if resume {
      let (savedArchitecture, savedState) = try Checkpoint.inspect(path)
      guard savedState.configuration == configurationJSON else {
        throw EngineError.checkpoint(
          file: path,
          problem: .otherOptions(configurationDifferences(saved: savedState.configuration, now: configurationJSON)))
      }
      guard savedArchitecture == architecture else {
        throw EngineError.checkpoint(file: path, problem: .otherModel(architecture.name))
      }
      try Checkpoint.load(path, group: "/", into: network)
      best = network.snapshot()
      try Checkpoint.load(path, group: "/last", into: network, optimizer: optimizer)
      state = savedState
      report(.resumed(fromEpoch: state.epoch))
    } else if FileManager.default.fileExists(atPath: path) {
      throw EngineError.checkpoint(file: path, problem: .exists)
    }

    for epoch in state.epoch..<configuration.epochs {
      optimizer.learningRate = configuration.learningRateSchedule.rate(
        base: Float(configuration.learningRate), epoch: epoch)
      let trained = try trainer.trainEpoch(trainLoader, epoch: epoch) { step, steps, loss, accuracy, rate in
        report(.step(epoch: epoch, step: step, steps: steps, loss: loss, accuracy: accuracy, imagesPerSecond: rate))
      }
      let validated = try trainer.evaluate(validationLoader)
      let metrics = Checkpoint.EpochMetrics(
        epoch: epoch + 1, trainLoss: trained.loss, trainAccuracy: trained.accuracy, validationLoss: validated.loss,
        validationAccuracy: validated.accuracy, learningRate: Double(optimizer.learningRate),
        imagesPerSecond: Double(trained.images) / max(trained.seconds, 1e-9))
      let isBest = validated.accuracy > state.bestValidationAccuracy
      if isBest {
        state.bestValidationAccuracy = validated.accuracy
        state.bestEpoch = epoch + 1
        best = network.snapshot()
      }
      state.epoch = epoch + 1
      state.history.append(metrics)
      try Checkpoint.save(path: path, network: network, best: best, optimizer: optimizer, state: state)
      report(.epochFinished(metrics, isBest: isBest))
    }

    try network.restore(best)
    let testLoader = try BatchLoader.evaluation(path: configuration.data, split: "test")
    let tested = try trainer.evaluate(testLoader)
    return TrainingSummary(
      model: architecture.name, checkpoint: path, testAccuracy: tested.accuracy, testTop5Accuracy: tested.top5,
      bestEpoch: state.bestEpoch, bestValidationAccuracy: state.bestValidationAccuracy,
      validationSplit: validationSplit,
      epochs: state.epoch, history: state.history)
  }
}
