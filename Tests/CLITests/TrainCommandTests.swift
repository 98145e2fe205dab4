import Datasets
import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct TrainCommandTests {
  let scratch = ScratchFolder()

  private func makeData() throws -> String {
    let path = scratch.file("quadrants.h5")
    try QuadrantData.write(path, train: 256, validation: 64, test: 64)
    return path
  }

  private func train(_ data: String, out: String, resume: Bool = false) throws -> ProcessResult {
    try odimo(
      [
        "train", "--model", "resnet8", "--data", data, "--epochs", "4", "--batch", "32", "--lr", "0.05", "--seed", "3",
        "--no-augment", "--out", out, "--json",
      ]
        + (resume ? ["--resume"] : []))
  }

  @Test func jsonSummaryAndKilledRunResumesToTheSameResult() throws {
    let data = try makeData()
    let whole = scratch.file("whole.h5")
    let uninterrupted = try train(data, out: whole)
    #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
    let summary = try #require(
      try JSONSerialization.jsonObject(with: Data(uninterrupted.stdout.utf8)) as? [String: Any])
    let accuracy = try #require(summary["test_accuracy"] as? Double)
    #expect(accuracy > 0.9, "the quadrant task is easy: \(accuracy)")
    #expect((summary["best_epoch"] as? Int).map { (1...4).contains($0) } == true)

    // Start the same run, SIGKILL it once the first epoch's checkpoint exists, resume.
    let killed = scratch.file("killed.h5")
    #expect(
      try killOdimo(
        [
          "train", "--model", "resnet8", "--data", data, "--epochs", "4", "--batch", "32", "--lr", "0.05", "--seed",
          "3",
          "--no-augment", "--out", killed,
        ], whenFileAppears: killed))
    let epochs = try HDF5File.open(killed).attribute("epoch").intValue ?? 0
    #expect(epochs >= 1 && epochs < 4)
    let resumed = try train(data, out: killed, resume: true)
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stderr.contains("resuming"))
    let again = try #require(try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any])
    #expect(again["test_accuracy"] as? Double == accuracy)
    #expect(again["best_epoch"] as? Int == summary["best_epoch"] as? Int)
    // Same weights, bit for bit.
    let a = try HDF5File.open(whole)
    let b = try HDF5File.open(killed)
    for name in try a.children(of: "parameters") {
      #expect(
        try a.read("parameters/\(name)", as: Float.self) == b.read("parameters/\(name)", as: Float.self), "\(name)")
    }
  }

  /// Where oneDNN lacks bf16 convolutions (AVX2-only CPUs), `--precision bf16` is refused
  /// as bad input that names the option, not left to fail inside oneDNN.
  @Test(.lacksBFloat16Kernels)
  func bf16WithoutKernelsIsRefused() throws {
    let data = try makeData()
    let ran = try odimo(
      "train", "--model", "resnet8", "--data", data, "--epochs", "1", "--batch", "32", "--seed", "3", "--out",
      scratch.file("refused.h5"), "--precision", "bf16")
    #expect(ran.status == 3 && ran.stderr.contains("--precision bf16"), "\(ran.stderr)")
  }

  /// `--precision bf16` is part of the checkpoint's configuration (an fp32 run's JSON has no
  /// precision key, as before the option), so a resume in fp32 is refused.
  @Test(.needsBFloat16Kernels)
  func precisionIsPartOfTheCheckpoint() throws {
    let data = try makeData()
    let arguments = [
      "train", "--model", "resnet8", "--data", data, "--epochs", "1", "--batch", "32", "--seed", "3", "--out",
    ]
    let bf16 = scratch.file("bf16.h5")
    #expect(try odimo(arguments + [bf16, "--precision", "bf16"]).status == 0)
    let fp32 = scratch.file("fp32.h5")
    #expect(try odimo(arguments + [fp32]).status == 0)
    // The configuration JSON sits, as a string, inside the checkpoint's state attribute.
    func state(_ path: String) throws -> String { try HDF5File.open(path).attribute("state").stringValue ?? "" }
    #expect(try state(bf16).contains("precision") && state(bf16).contains("bf16"))
    #expect(try !state(fp32).contains("precision"))
    let other = try odimo(arguments + [bf16, "--precision", "fp32", "--resume"])
    #expect(other.status == 3 && other.stderr.contains("precision"), "\(other.stderr)")
  }

  /// Files and values that do not fit the data exit 3; impossible option values 64.
  @Test func badRequestsAreRefused() throws {
    let data = try makeData()
    let unknown = try odimo("train", "--model", "vgg", "--data", data, "--out", scratch.file("x.h5"))
    #expect(unknown.status == 64 && unknown.stderr.contains("resnet20"))
    let tooLarge = try odimo(
      "train", "--model", "resnet8", "--data", data, "--batch", "1000", "--out", scratch.file("y.h5"))
    #expect(tooLarge.status == 3 && tooLarge.stderr.contains("larger than"))
    let missing = try odimo(
      "train", "--model", "resnet8", "--data", scratch.file("none.h5"), "--out", scratch.file("z.h5"))
    #expect(missing.status == 3 && missing.stderr.contains("none.h5"))
    // These crashed (an overflowing milestone, an EncodingError): now a refused option, named.
    let epochs = try odimo(
      "train", "--model", "resnet8", "--data", data, "--epochs", "9223372036854775807", "--schedule", "multistep",
      "--out", scratch.file("e.h5"))
    #expect(epochs.status == 64 && epochs.stderr.contains("--epochs"), "\(epochs.stderr)")
    let decay = try odimo(
      "train", "--model", "resnet8", "--data", data, "--weight-decay", "inf", "--out", scratch.file("w.h5"))
    #expect(decay.status == 64 && decay.stderr.contains("--weight-decay"), "\(decay.stderr)")
  }
}
