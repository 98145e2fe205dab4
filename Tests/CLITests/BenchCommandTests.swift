import Foundation
import TestSupport
import Testing

/// `odimo bench search` on a tiny dataset: the JSON a script reads (images, batch, speed)
/// and refused sizes. The speed itself is never asserted: benchmarks are not timed tests.
@Suite struct BenchCommandTests {
  let scratch = ScratchFolder()

  @Test func searchBenchmarkTakesABatchAndPrintsJSON() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 64, validation: 16, test: 16)
    let ran = try odimo(
      "bench", "search", "--model", "resnet8", "--data", data, "--train-limit", "64", "--batch", "32", "--rounds", "1",
      "--json")
    #expect(ran.status == 0, "\(ran.stderr)")
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8)) as? [String: Any])
    #expect(summary["images"] as? Int == 64 && summary["batch"] as? Int == 32)
    #expect((summary["images_per_second"] as? Double ?? 0) > 0)
    // The per-layer breakdown: every mixed convolution of the supernet, and the rest of a step.
    let layers = (summary["layers"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
    #expect(layers.contains("stem") && layers.contains("stage1.block0.conv1"), "\(layers)")
    #expect(summary["outside_network_ms"] is Double)
    for bad in ["0", "65"] {
      let refused = try odimo("bench", "search", "--data", data, "--train-limit", "64", "--batch", bad)
      #expect(refused.status == 64 && refused.stderr.contains("--batch"), "\(refused.stderr)")
    }
  }

  /// `odimo bench precision` on a searched DIANA run (quantized: PACT levels, int8 and
  /// ternary codes, which bf16 holds exactly): the JSON a script reads, predictions that
  /// agree, and refused input. What agreement this measures at full scale is in README.
  @Test(.needsBFloat16Kernels)
  func precisionComparisonOfASearchedRun() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 128, validation: 32, test: 64)
    let run = scratch.file("run.h5")
    let searched = try odimo(
      "search", "--soc", "diana", "--model", "resnet8", "--lambda", "1", "--data", data, "--seed", "2", "--out", run,
      "--quiet")
    #expect(searched.status == 0, "\(searched.stderr)")
    let ran = try odimo("bench", "precision", run, "--json")
    #expect(ran.status == 0, "\(ran.stderr)")
    let summary = try #require(try JSONSerialization.jsonObject(with: Data(ran.stdout.utf8)) as? [String: Any])
    let images = try #require(summary["images"] as? Int)
    #expect(images == 64)
    #expect((summary["agreeing_predictions"] as? Int ?? 0) >= images - 1, "\(summary)")
    #expect((summary["identical_logits"] as? Int ?? 0) >= images / 2, "\(summary)")
    for key in ["fp32_accuracy", "bf16_accuracy", "fp32_images_per_second", "bf16_images_per_second"] {
      #expect(summary[key] is Double, "\(key)")
    }
    let some = try odimo("bench", "precision", run, "--images", "16", "--json")
    #expect(some.status == 0 && some.stdout.contains("\"images\" : 16"), "\(some.stdout)")
    let tooMany = try odimo("bench", "precision", run, "--images", "65")
    #expect(tooMany.status == 64 && tooMany.stderr.contains("--images"), "\(tooMany.stderr)")
    let notARun = try odimo("bench", "precision", data)
    #expect(notARun.status == 3 && notARun.stderr.contains("q.h5"), "\(notARun.stderr)")
  }
}
