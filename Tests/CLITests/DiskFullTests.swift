import Foundation
import HDF5
import TestSupport
import Testing

/// A full disk in the middle of a run, on a small tmpfs (needs root to mount it: CI runs as
/// root; elsewhere the test is skipped). The disk is filled so that the first save fits and
/// the second does not — a safe write needs room for the old and the new file at once —
/// and every command must then fail cleanly (exit 1, the path named), keep the previous
/// file whole, and resume once there is room again. Before, train and search died with a
/// segfault and left a corrupt file under the final name.
@Suite(.serialized, .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct DiskFullTests {
  let scratch = ScratchFolder()

  /// Mounts a tmpfs of `megabytes` for `body`, always unmounting it.
  private func withSmallDisk(megabytes: Int, _ body: (String) throws -> Void) throws {
    let mountPoint = scratch.file("disk")
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    let mounted = try runProcess("/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", mountPoint])
    try #require(mounted.status == 0, "mount: \(mounted.stderr)")
    defer { _ = try? runProcess("/bin/umount", [mountPoint]) }
    try body(mountPoint)
  }

  /// Fills `folder`'s file system until `bytes` remain free; returns the filler's path.
  private func fill(_ folder: String, leaving bytes: Int) throws -> String {
    let attributes = try FileManager.default.attributesOfFileSystem(forPath: folder)
    let free = (attributes[.systemFreeSize] as? NSNumber)?.intValue ?? 0
    let filler = folder + "/filler"
    try #require(free > bytes, "only \(free) bytes free")
    try Data(count: free - bytes).write(to: URL(fileURLWithPath: filler))
    return filler
  }

  private func size(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
  }

  @Test func trainAndSearchFailCleanlyAndResume() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 128, validation: 32, test: 32)
    let train = { (out: String) in
      ["train", "--model", "resnet8", "--data", data, "--epochs", "2", "--batch", "32", "--out", out]
    }
    let search = { (out: String) in
      ["search", "--soc", "diana", "--model", "resnet8", "--data", data, "--lambda", "1", "--out", out]
    }
    for (name, arguments) in [("checkpoint", train), ("run", search)] {
      let command = { (out: String, resume: Bool) in try odimo(arguments(out) + (resume ? ["--resume"] : [])) }
      // The size of the first save, measured on the normal disk (the run is killed once it is there).
      let probe = scratch.file("probe-\(name).h5")
      try killOdimo(arguments(probe), whenFileAppears: probe)
      let saved = size(probe)
      try withSmallDisk(megabytes: 16) { disk in
        let out = disk + "/\(name).h5"
        let filler = try fill(disk, leaving: saved * 3 / 2)
        let failed = try command(out, false)
        #expect(failed.status == 1, "\(name): exit \(failed.status): \(failed.stderr)")
        #expect(failed.stderr.contains(out), "\(name): \(failed.stderr)")
        // The first epoch's file is whole: it opens and says it is unfinished.
        let file = try HDF5File.open(out)
        file.close()
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: disk).filter { $0.contains(".tmp-") }
        #expect(leftovers.isEmpty, "\(name): temporary files left: \(leftovers)")
        try FileManager.default.removeItem(atPath: filler)
        let resumed = try command(out, true)
        #expect(resumed.status == 0, "\(name): \(resumed.stderr)")
      }
    }
  }

  /// data import and report on a full disk: exit 1 naming the file, nothing half-written,
  /// an earlier report left whole.
  @Test func importAndReportFailCleanly() throws {
    let idx = scratch.file("idx")
    try FileManager.default.createDirectory(atPath: idx, withIntermediateDirectories: true)
    let header = { (values: [UInt32]) in values.flatMap { withUnsafeBytes(of: $0.bigEndian) { Array($0) } } }
    for (stem, count) in [("train", 400), ("t10k", 100)] {
      let images = header([0x803, UInt32(count), 28, 28]) + (0..<(count * 784)).map { UInt8(truncatingIfNeeded: $0) }
      try Data(images).write(to: URL(fileURLWithPath: "\(idx)/\(stem)-images-idx3-ubyte"))
      let labels = header([0x801, UInt32(count)]) + (0..<count).map { UInt8($0 % 10) }
      try Data(labels).write(to: URL(fileURLWithPath: "\(idx)/\(stem)-labels-idx1-ubyte"))
    }
    try withSmallDisk(megabytes: 4) { disk in
      let out = disk + "/d.h5"
      let filler = try fill(disk, leaving: 4_000)
      let failed = try odimo("data", "import", "mnist", idx, "--out", out)
      #expect(failed.status == 1, "exit \(failed.status): \(failed.stderr)")
      #expect(failed.stderr.contains(out) && failed.stderr.contains("disk is full"), "\(failed.stderr)")
      #expect(try FileManager.default.contentsOfDirectory(atPath: disk) == ["filler"])
      try FileManager.default.removeItem(atPath: filler)
    }

    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 64, validation: 32, test: 32)
    let run = scratch.file("run.h5")
    let searched = try odimo(
      "search", "--soc", "diana", "--model", "resnet8", "--data", data, "--lambda", "1", "--out", run, "--quiet")
    try #require(searched.status == 0, "\(searched.stderr)")
    try withSmallDisk(megabytes: 4) { disk in
      let report = disk + "/report"
      let first = try odimo("report", run, "--out", report)
      try #require(first.status == 0, "\(first.stderr)")
      let before = try String(contentsOfFile: report + "/report.md", encoding: .utf8)
      let filler = try fill(disk, leaving: 20_000)
      let failed = try odimo("report", run, "--out", report)
      #expect(failed.status == 1, "exit \(failed.status): \(failed.stderr)")
      #expect(failed.stderr.contains(disk), "\(failed.stderr)")
      #expect(try String(contentsOfFile: report + "/report.md", encoding: .utf8) == before)
      let leftovers = try FileManager.default.contentsOfDirectory(atPath: disk).filter { $0.contains(".tmp-") }
      #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
      try FileManager.default.removeItem(atPath: filler)
    }
  }
}
