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
}
