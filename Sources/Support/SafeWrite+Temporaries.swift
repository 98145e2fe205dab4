import Foundation

extension SafeWrite {
  /// This machine's name as temporaries carry it (a folder shared by several machines
  /// holds temporaries of processes this one cannot see).
  static let host: String = {
    let name = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
    return name.isEmpty ? "host" : name.replacingOccurrences(of: "-", with: "_")
  }()

  /// `.<name>.tmp-<host>-<pid>-<random>` beside `target`.
  static func temporaryPath(for target: String) -> String {
    let url = URL(fileURLWithPath: target)
    return url.deletingLastPathComponent()
      .appendingPathComponent(
        ".\(url.lastPathComponent).tmp-\(host)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
      ).path
  }

  /// Removes the temporaries (files or folders) in `folder` that processes of this machine
  /// left when they died (kill -9, a node failure): a temporary whose process is gone will
  /// never be renamed into place. Others' temporaries, and those of live processes, stay.
  /// Returns the names removed.
  @discardableResult
  package static func removeStaleTemporaries(in folder: String) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
    var removed: [String] = []
    for name in names where name.hasPrefix(".") {
      guard let marker = name.range(of: ".tmp-\(host)-", options: .backwards) else { continue }
      let rest = name[marker.upperBound...].split(separator: "-")
      guard rest.count == 2, let pid = Int32(rest[0]), UInt32(rest[1]) != nil, !isAlive(pid) else { continue }
      if (try? FileManager.default.removeItem(atPath: folder + "/" + name)) != nil { removed.append(name) }
    }
    return removed
  }

  /// Whether process `pid` exists on this machine.
  static func isAlive(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno != ESRCH
  }

  /// Fills a new folder through `body` (given its temporary path beside `target`) and then
  /// swaps it in whole: the old `target`, if any, is renamed aside and removed, so readers
  /// see the old folder or the new one, never a mix. Every entry of an existing `target`
  /// must satisfy `replaceable` (it is deleted); otherwise nothing is written and the
  /// error names the first other entry. If `body` throws, `target` is left as it was.
  @discardableResult
  package static func replaceFolder<R>(
    _ target: String, replaceable: (String) -> Bool, _ body: (_ temporaryFolder: String) throws -> R
  ) throws -> R {
    let parent = URL(fileURLWithPath: target).deletingLastPathComponent().path
    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
    removeStaleTemporaries(in: parent)
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory)
    if exists {
      guard isDirectory.boolValue else { throw Failure(target: target, detail: "it is a file, not a folder") }
      let entries = (try? FileManager.default.contentsOfDirectory(atPath: target)) ?? []
      if let other = entries.sorted().first(where: { !replaceable($0) }) {
        throw Failure(
          target: target,
          detail: "it holds \(other), which this writer did not make; choose an empty folder or a new name")
      }
    }
    let temporary = temporaryPath(for: target)
    try FileManager.default.createDirectory(atPath: temporary, withIntermediateDirectories: false)
    do {
      let result = try body(temporary)
      if exists {
        let old = temporaryPath(for: target)
        guard rename(target, old) == 0 else { throw Failure(target: target, detail: String(cString: strerror(errno))) }
        guard rename(temporary, target) == 0 else {
          let reason = String(cString: strerror(errno))
          _ = rename(old, target)
          throw Failure(target: target, detail: reason)
        }
        try? FileManager.default.removeItem(atPath: old)
      } else {
        guard rename(temporary, target) == 0 else {
          throw Failure(target: target, detail: String(cString: strerror(errno)))
        }
      }
      try? sync(parent)
      return result
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
  }
}
