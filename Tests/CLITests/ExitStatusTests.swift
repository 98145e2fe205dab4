import Foundation
import TestSupport
import Testing

/// README's exit-status table, command by command: an option's impossible value is 64
/// wherever it is checked (by the parser or after it), a missing or malformed file 3.
@Suite struct ExitStatusTests {
  let scratch = ScratchFolder()

  @Test func impossibleOptionValuesAre64AndNameTheOption() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 64, validation: 32, test: 32)
    let search = ["search", "--soc", "diana", "--model", "resnet8", "--data", data, "--out", scratch.file("r.h5")]
    let train = ["train", "--model", "resnet8", "--data", data, "--out", scratch.file("c.h5")]
    let sweep = ["sweep", "run", "--soc", "diana", "--model", "resnet8", "--data", data, "--out", scratch.file("s")]
    let cases: [(arguments: [String], option: String)] = [
      (search + ["--lambda", "1", "--preset", "fast"], "--preset"),
      (search + ["--lambda=-1"], "--lambda"),
      (search + ["--lambda", "-1"], "--lambda"),
      (search + ["--lambda", "1", "--metric", "speed"], "--metric"),
      (search + ["--lambda", "1", "--lambda-scale", "log"], "--lambda-scale"),
      (train + ["--epochs", "0"], "--epochs"),
      (train + ["--batch", "0"], "--batch"),
      (train + ["--lr", "nan"], "--lr"),
      (train + ["--schedule", "step"], "--schedule"),
      (["train", "--model", "vgg16", "--data", data, "--out", scratch.file("v.h5")], "--model"),
      (sweep + ["--lambdas", "1", "--shard", "3/2"], "--shard"),
      (sweep + ["--lambdas", "1,x"], "--lambdas"),
      (sweep + ["--lambdas", "-1,2"], "--lambdas"),
      (
        ["data", "import", "fashion-mnist", scratch.path, "--out", scratch.file("d.h5"), "--val-split", "2"],
        "--val-split"
      ),
      (
        ["cost", "network", "--soc", "diana", "--model", "resnet8", "--mapping", "all-digital", "--input", "0"],
        "--input"
      ),
      (["report", scratch.path, "--out", scratch.file("report"), "--epsilon", "150"], "--epsilon"),
      (["export", data, "--format", "pytorch", "--quantized", "--out", scratch.file("pt")], "--format"),
    ]
    for (arguments, option) in cases {
      let result = try odimo(arguments)
      #expect(result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
      #expect(result.stderr.contains(option), "\(arguments): \(result.stderr)")
    }
  }

  @Test func missingOrMalformedFilesAre3() throws {
    let missing = try odimo(
      "train", "--model", "resnet8", "--data", scratch.file("none.h5"), "--out", scratch.file("c.h5"))
    #expect(missing.status == 3 && missing.stderr.contains("none.h5"))
    let garbage = scratch.file("garbage.h5")
    try Data("not an HDF5 file".utf8).write(to: URL(fileURLWithPath: garbage))
    let malformed = try odimo("data", "info", garbage)
    #expect(malformed.status == 3 && malformed.stderr.contains("garbage.h5"))
  }
}
