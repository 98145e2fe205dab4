import ArgumentParser
import Console
import Engine
import Foundation
import Models
import Search

struct Train: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Train a zoo model on a dataset file, keeping the best-on-validation checkpoint.",
    discussion: """
      Each epoch trains on the train split (random crop with padding 4 and horizontal \
      flip unless --no-augment), evaluates on val (or test when the file has no val \
      split) and rewrites the checkpoint: best weights at the root, the latest state \
      under /last for --resume. At the end the best weights are evaluated on test.
      Models: resnet8, resnet20, resnet18, resnet18-imagenet, mobilenetv1 (--width).

      Example:
        odimo data import fashion-mnist /usr/share/datasets/fashion-mnist -o fmnist.h5 --val-split 0.1
        odimo train --model resnet8 --data fmnist.h5 --epochs 5 --batch 128 --out resnet8.h5
      """
  )

  @Option(help: "Zoo model name.") var model: String
  @Option(help: "Dataset file from odimo data import.") var data: String
  @Option(help: "Epochs.") var epochs = 10
  @Option(help: "Batch size.") var batch = 128
  @Option(help: "Base learning rate (SGD).") var lr = 0.1
  @Option(help: "SGD momentum.") var momentum = 0.9
  @Flag(help: "Nesterov momentum.") var nesterov = false
  @Option(help: "Weight decay on convolution and linear weights.") var weightDecay = 5e-4
  @Option(help: "Learning-rate schedule: cosine, constant, multistep.") var schedule = "cosine"
  @Option(help: "Label smoothing in [0, 1).") var labelSmoothing = 0.0
  @Option(help: "Width multiplier (MobileNetV1).") var width = 1.0
  @Option(help: "Seed of weights, shuffling and augmentation.") var seed: UInt64 = 0
  @Option(help: "Train on the first N training images only.") var trainLimit: Int?
  @Flag(help: "No crop/flip augmentation.") var noAugment = false
  @Option(help: "What convolutions compute in: fp32 (default), bf16 or auto (as for odimo search).")
  var precision: Precision = .fp32
  @Option(name: .shortAndLong, help: "Checkpoint file to write.") var out: String
  @Flag(help: "Continue the run in --out from its last completed epoch.") var resume = false
  @Flag(help: "End with a JSON summary (test_accuracy, best_epoch, history).") var json = false
  @Flag(help: "No progress on stderr (errors still appear).") var quiet = false
  @Option(help: "Also write every epoch's scalars as TensorBoard event files into this folder.") var tensorboard:
    String?

  func run() throws {
    try reportingErrors {
      let configuration = TrainingConfiguration(
        model: model, width: width, data: data, epochs: epochs, batchSize: batch, learningRate: lr, momentum: momentum,
        nesterov: nesterov, weightDecay: weightDecay, schedule: schedule, labelSmoothing: labelSmoothing, seed: seed,
        augment: !noAugment, trainLimit: trainLimit, precision: precision)
      let display = RunProgress(quiet: quiet).display
      var epochStart = Date()
      let log = tensorboard.map { TensorBoardLog(root: $0) }
      try log?.begin(RunObserver.Run(path: out, channelTags: []))
      let summary = try TrainingRun.run(configuration, checkpoint: out, resume: resume) { event in
        switch event {
        case .step(let epoch, let step, let steps, let loss, let accuracy, let rate):
          display.step(
            ProgressLine.Step(
              phase: "train", epoch: epoch + 1, epochs: epochs, done: step, total: steps, imagesPerSecond: rate,
              metrics: String(format: "loss %.4f acc %.2f%%", loss, accuracy * 100)))
        case .epochFinished(let metrics, let isBest):
          display.epoch(
            "train " + floatEpochText(metrics, epochs: epochs) + (isBest ? "  (best)" : ""), epoch: metrics.epoch,
            epochs: epochs, seconds: Date().timeIntervalSince(epochStart))
          epochStart = Date()
          log?.record { try log?.floatEpoch(metrics) }
        case .resumed(let epoch):
          display.line("resuming \(out) after epoch \(epoch)")
          epochStart = Date()
        }
      }
      try log?.check()
      if json { return try printJSON(summary) }
      print(
        String(
          format:
            "%@: test accuracy %.2f%% (top-5 %.2f%%) with the weights of epoch %d (best %@ accuracy %.2f%%); checkpoint %@",
          summary.model, summary.testAccuracy * 100, summary.testTop5Accuracy * 100, summary.bestEpoch,
          summary.validationSplit, summary.bestValidationAccuracy * 100, out))
    }
  }
}
