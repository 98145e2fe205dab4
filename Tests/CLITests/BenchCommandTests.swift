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
    for bad in ["0", "65"] {
      let refused = try odimo("bench", "search", "--data", data, "--train-limit", "64", "--batch", bad)
      #expect(refused.status == 64 && refused.stderr.contains("--batch"), "\(refused.stderr)")
    }
  }
}
