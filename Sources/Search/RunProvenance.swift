import Datasets
import Foundation
import Hardware

/// Where a run came from — what a reviewer needs to re-check it on another machine: the
/// dataset (absolute path and the SHA-256 of its file), the SoC description's full text, and
/// the odimo version and commit that produced it. Stored in every run file.
package struct RunProvenance: Sendable, Equatable {
  /// The dataset file's absolute path when the run was made.
  package var datasetPath: String
  /// SHA-256 of the dataset file's bytes (lower-case hex), as `sha256sum` prints it.
  package var datasetSHA256: String
  /// The SoC description's TOML text, or `builtin <name>` for an SoC compiled into odimo
  /// (whose numbers the version and commit pin down).
  package var socDescription: String
  /// odimo's version.
  package var version: String
  /// The git commit odimo was built from: `ODIMO_COMMIT` if set (scripts that build odimo
  /// set it; a binary deployed without its repository needs it), else the commit of the
  /// repository in the working folder — with `-dirty` when its tracked files differ from
  /// that commit — else "unknown". The working folder's commit is a guess: it moves on if
  /// the repository does while a long run goes on, which is why scripts pin it.
  package var commit: String
  /// The commits of other builds that continued the run after an interruption, in the order
  /// they first did (never `commit` itself): a resumed run's numbers come from all of them.
  package var resumedBy: [String]

  package init(
    datasetPath: String, datasetSHA256: String, socDescription: String, version: String, commit: String,
    resumedBy: [String] = []
  ) {
    self.datasetPath = datasetPath
    self.datasetSHA256 = datasetSHA256
    self.socDescription = socDescription
    self.version = version
    self.commit = commit
    self.resumedBy = resumedBy
  }

  /// Every build that computed part of the run: `commit`, then `resumedBy`.
  package var commits: [String] { [commit] + resumedBy }

  /// This provenance once `current` — the provenance of the process resuming the run — has
  /// continued it: the run keeps the commit that began it and adds the resuming one if it is
  /// new. Throws if the dataset's bytes are no longer those the run began on.
  func continued(by current: RunProvenance, run path: String) throws -> RunProvenance {
    guard current.datasetSHA256 == datasetSHA256 else {
      throw SearchError.datasetMismatch(
        run: path, dataset: current.datasetPath, recorded: datasetSHA256, actual: current.datasetSHA256)
    }
    var continued = self
    if !commits.contains(current.commit) { continued.resumedBy.append(current.commit) }
    return continued
  }

  /// odimo's version (the CLI's `--version`).
  package static let odimoVersion = "0.1.0"

  /// The provenance of a run of `configuration` made now.
  static func current(for configuration: SearchConfiguration) throws -> RunProvenance {
    let path = URL(fileURLWithPath: configuration.data).standardizedFileURL.path
    return RunProvenance(
      datasetPath: path, datasetSHA256: try Digests.shared.sha256(of: path),
      socDescription: try SoCCatalogue.descriptionText(configuration.soc), version: odimoVersion, commit: commit())
  }

  /// SHA-256 of a file (lower-case hex), memoised per process by path, size and modification time.
  package static func sha256(of path: String) throws -> String { try Digests.shared.sha256(of: path) }

  /// See `commit`.
  package static func commit() -> String {
    if let given = ProcessInfo.processInfo.environment["ODIMO_COMMIT"], !given.isEmpty { return given }
    return Digests.shared.gitCommit()
  }
}

/// Per-process memo of the dataset digests and the commit: a sweep runs many jobs on one
/// dataset, and hashing a 170 MB file for each would cost a second apiece.
private final class Digests: @unchecked Sendable {
  static let shared = Digests()
  private let lock = NSLock()
  private var digests: [String: (size: UInt64, modified: Date, digest: String)] = [:]
  private var commit: String?

  func sha256(of path: String) throws -> String {
    let attributes = try? FileManager.default.attributesOfItem(atPath: path)
    let size = (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
    let modified = attributes?[.modificationDate] as? Date ?? .distantPast
    lock.lock()
    let known = digests[path]
    lock.unlock()
    if let known, known.size == size, known.modified == modified { return known.digest }
    let digest = try SHA256.hexDigest(ofFile: path)
    lock.lock()
    digests[path] = (size, modified, digest)
    lock.unlock()
    return digest
  }

  func gitCommit() -> String {
    lock.lock()
    defer { lock.unlock() }
    if let commit { return commit }
    var found = "unknown"
    if let head = Self.git(["rev-parse", "HEAD"]), !head.isEmpty {
      let changes = Self.git(["status", "--porcelain", "--untracked-files=no"]) ?? ""
      found = head + (changes.isEmpty ? "" : "-dirty")
    }
    commit = found
    return found
  }

  /// `git` with `arguments` in the working folder: its output, or nil if it failed.
  private static func git(_ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }
}
