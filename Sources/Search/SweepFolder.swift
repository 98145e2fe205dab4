import Foundation
import Support

/// A sweep folder's layout — the only code that knows its file names (datasets/FORMATS.md,
/// "Sweep folder"): the manifest, the shared warmup, one run file per λ point, the
/// baselines, the float reference, the merged summary and the other seeds' folders.
package struct SweepFolder: Sendable, Equatable {
  package let path: String

  package init(_ path: String) { self.path = path }

  package var manifest: String { path + "/manifest.json" }
  package var warmup: String { path + "/warmup.h5" }
  package var baselines: String { path + "/baselines" }
  package var summary: String { path + "/sweep.json" }
  package var referenceCheckpoint: String { path + "/" + FloatReference.checkpointName }
  package var referenceSummary: String { path + "/" + FloatReference.summaryName }

  /// The run file of the λ point `lambda`.
  package func point(_ lambda: Double) -> String { path + "/" + Sweep.runName(lambda) }

  /// The run file of the baseline `name`.
  package func baseline(_ name: String) -> String { baselines + "/\(name).h5" }

  /// A file named relative to the folder (a job's `fileName`).
  package func file(_ relative: String) -> String { path + "/" + relative }

  /// The manifest, or an error naming the folder.
  package func readManifest() throws -> Sweep.Manifest {
    guard let data = FileManager.default.contents(atPath: manifest) else {
      throw SearchError.sweepFolder(folder: path, problem: .noManifest)
    }
    return try JSONDecoder.snakeCase.decode(Sweep.Manifest.self, from: data)
  }

  /// Changes the manifest — or, with none there, writes `create()` — under a short lock of
  /// its own, so processes that extend the sweep or fill it never lose each other's changes
  /// (each re-reads the manifest under the lock). Returns the manifest as written.
  @discardableResult
  package func updateManifest(
    creating create: () -> Sweep.Manifest? = { nil }, _ change: (inout Sweep.Manifest) throws -> Void
  ) throws -> Sweep.Manifest {
    guard let lock = try JobLock.take(for: manifest + ".update", wait: true) else {
      throw SearchError.lock(file: manifest, reason: "not taken")
    }
    defer { lock.release() }
    let existing = FileManager.default.fileExists(atPath: manifest) ? try readManifest() : nil
    guard var updated = existing ?? create() else {
      throw SearchError.sweepFolder(folder: path, problem: .noManifest)
    }
    try change(&updated)
    if updated != existing { try SafeWrite.write(try Sweep.encoder().encode(updated), to: manifest) }
    return updated
  }
}
