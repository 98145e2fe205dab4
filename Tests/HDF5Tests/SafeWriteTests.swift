import Foundation
import TestSupport
import Testing

@testable import HDF5
@testable import Support

@Suite struct SafeWriteTests {
  let scratch = ScratchFolder()

  struct Midway: Error {}

  @Test func failedWriterLeavesOldFileIntact() throws {
    let path = scratch.file("keep.h5")
    let original = try HDF5File.create(path)
    try original.write([1, 2, 3] as [Int64], to: "v")
    original.close()
    #expect(throws: Midway.self) {
      try SafeWrite.replace(path) { temporary in
        let file = try HDF5File.create(temporary)
        try file.write([9, 9, 9, 9] as [Int64], to: "v")
        file.close()
        throw Midway()
      }
    }
    #expect(try HDF5File.open(path).read("v", as: Int64.self) == [1, 2, 3])
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: scratch.path)
    #expect(leftovers == ["keep.h5"])
  }

  @Test func successfulWriterReplacesFile() throws {
    let path = scratch.file("new.h5")
    try SafeWrite.write(Data("old".utf8), to: path)
    try SafeWrite.replace(path) { temporary in
      let file = try HDF5File.create(temporary)
      try file.write([4] as [Int64], to: "v")
      file.close()
    }
    #expect(try HDF5File.open(path).read("v", as: Int64.self) == [4])
  }

  @Test func missingFolderIsReported() {
    #expect(throws: SafeWrite.Failure.self) { try SafeWrite.write(Data(), to: scratch.file("no/such/file")) }
  }

  /// A process id that no process of this machine has any more.
  private func deadProcessID() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
  }

  /// Temporaries of dead processes of this machine go at the next write to their folder;
  /// those of live processes and of other machines (a shared folder) stay.
  @Test func staleTemporariesAreRemovedOnTheNextWrite() throws {
    let folder = scratch.file("w")
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let dead = try deadProcessID()
    let host = SafeWrite.host
    let staleFile = ".run.h5.tmp-\(host)-\(dead)-17"
    let staleFolder = ".report.tmp-\(host)-\(dead)-18"
    let live = ".other.h5.tmp-\(host)-\(getpid())-19"
    let elsewhere = ".run.h5.tmp-node42-\(dead)-20"
    let unrelated = ".hidden"
    for name in [staleFile, live, elsewhere, unrelated] {
      try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/" + name))
    }
    try FileManager.default.createDirectory(atPath: folder + "/" + staleFolder, withIntermediateDirectories: false)
    try SafeWrite.write(Data("new".utf8), to: folder + "/run.h5")
    let left = Set(try FileManager.default.contentsOfDirectory(atPath: folder))
    #expect(left == [live, elsewhere, unrelated, "run.h5"])
  }

  /// A folder is replaced whole: a failing writer leaves the old one as it was, a
  /// successful one leaves no file of the old one behind, and a folder holding files the
  /// writer does not own is refused untouched.
  @Test func foldersAreSwappedWhole() throws {
    let target = scratch.file("report")
    let isOurs = { (name: String) in name.hasSuffix(".png") || name == "report.md" }
    try SafeWrite.replaceFolder(target, replaceable: isOurs) { folder in
      try Data("old".utf8).write(to: URL(fileURLWithPath: folder + "/report.md"))
      try Data("old".utf8).write(to: URL(fileURLWithPath: folder + "/stale.png"))
    }
    struct Interrupted: Error {}
    #expect(throws: Interrupted.self) {
      try SafeWrite.replaceFolder(target, replaceable: isOurs) { folder in
        try Data("new".utf8).write(to: URL(fileURLWithPath: folder + "/fresh.png"))
        throw Interrupted()
      }
    }
    #expect(Set(try FileManager.default.contentsOfDirectory(atPath: target)) == ["report.md", "stale.png"])
    try SafeWrite.replaceFolder(target, replaceable: isOurs) { folder in
      try Data("new".utf8).write(to: URL(fileURLWithPath: folder + "/report.md"))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: target) == ["report.md"])
    #expect(try String(contentsOfFile: target + "/report.md", encoding: .utf8) == "new")
    let parent = URL(fileURLWithPath: target).deletingLastPathComponent().path
    #expect(try FileManager.default.contentsOfDirectory(atPath: parent).allSatisfy { !$0.contains(".tmp-") })

    try Data("mine".utf8).write(to: URL(fileURLWithPath: target + "/manifest.json"))
    let refused = try #require(throws: SafeWrite.Failure.self) {
      try SafeWrite.replaceFolder(target, replaceable: isOurs) { _ in }
    }
    #expect(refused.target == target && refused.detail.contains("manifest.json"))
    #expect(FileManager.default.fileExists(atPath: target + "/manifest.json"))
  }
}
