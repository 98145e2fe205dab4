import Support
import Testing

@testable import Search

@Suite struct ShardSpecTests {
  func slurm(id: Int, min: Int, max: Int, count: Int? = nil) -> [String: String] {
    [
      "SLURM_ARRAY_TASK_ID": "\(id)", "SLURM_ARRAY_TASK_MIN": "\(min)", "SLURM_ARRAY_TASK_MAX": "\(max)",
      "SLURM_ARRAY_TASK_COUNT": "\(count ?? max - min + 1)",
    ]
  }

  /// `--array=0-3` and `--array=1-4` both give shards 1/4…4/4 (the old recipe gave 5/4 for
  /// the last task of 1-4); a sparse array and no array fall back to sharing every job.
  @Test func autoReadsAnySlurmArray() throws {
    for low in [0, 1] {
      let shards = try (low...(low + 3)).map {
        try ShardSpec.parse("auto", environment: slurm(id: $0, min: low, max: low + 3))
      }
      #expect(shards.map(\.index) == [1, 2, 3, 4] && shards.allSatisfy { $0.count == 4 })
    }
    let sparse = try ShardSpec.parse("auto", environment: slurm(id: 8, min: 1, max: 8, count: 3))
    #expect(sparse == (1, 1))
    #expect(try ShardSpec.parse("auto", environment: [:]) == (1, 1))
    #expect(try ShardSpec.parse("2/4", environment: [:]) == (2, 4))
    for bad in ["5/4", "0/4", "1/0", "x", "1/", "/2"] {
      let refused = try #require(throws: InvalidOption.self, "\(bad)") { try ShardSpec.parse(bad, environment: [:]) }
      #expect(refused.option == "--shard" && refused.value == bad)
    }
  }
}
