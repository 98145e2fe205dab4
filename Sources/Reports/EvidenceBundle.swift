import Foundation
import HDF5
import Support

/// `evidence.h5` beside a report: every run file and the float reference checkpoint the
/// report cites, nested whole (`/runs/<n>` and `/reference`: each file's root group with
/// its attributes, datasets and groups as stored, compressed chunks included), each with
/// the report's cell that names it (`report_path`). `odimo audit` takes a cited file from
/// here when it is not on disk, so a report folder can be mailed and audited elsewhere.
/// h5py reads it directly: `f["runs/0"].attrs["test_accuracy"]`, `f["runs/0/weights"]`.
package enum EvidenceBundle {
  /// How this process's extracted runs are named in the temporary folder (the process id
  /// keeps concurrent audits, and their clean-up checks, apart).
  package static var extractionPrefix: String { "odimo-evidence-\(getpid())-" }
  static let fileName = "evidence.h5"
  static let cellAttribute = "report_path"
  /// The largest bundle `odimo report --bundle` writes unless told otherwise, in bytes: a
  /// report folder stays small enough to commit and mail.
  package static let defaultLimit: Int64 = 20_000_000

  /// What a report folder holds of the files its report cites.
  package enum Plan: Sendable, Equatable {
    /// No bundle was asked for.
    case notAsked
    /// `evidence.h5` holds them: the cited files' total size in bytes.
    case bundled(bytes: Int64)
    /// A bundle was asked for but the cited files (`bytes`) exceed `limit`: none is written.
    case tooLarge(bytes: Int64, limit: Int64)
  }

  /// Whether the report on `experiment` gets a bundle when one is asked for (`limit` nil: no).
  package static func plan(_ experiment: Experiment, limit: Int64?) -> Plan {
    guard let limit else { return .notAsked }
    let cited = citedFiles(experiment)
    let bytes = (cited.runs + (cited.reference.map { [$0] } ?? [])).reduce(Int64(0)) { total, path in
      let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
      return total + size
    }
    return bytes > limit ? .tooLarge(bytes: bytes, limit: limit) : .bundled(bytes: bytes)
  }

  /// Every run file and the reference checkpoint a report on `experiment` cites: what
  /// `write` copies and `plan` measures.
  static func citedFiles(_ experiment: Experiment) -> (runs: [String], reference: String?) {
    ((experiment.points + experiment.baselines).map(\.path), experiment.reference?.checkpoint)
  }

  /// Writes the bundle of `files` (the report's path cell and the file it names) into `folder`.
  static func write(
    _ files: [(cell: String, path: String)], reference: (cell: String, path: String)?, to folder: String
  )
    throws
  {
    try SafeWrite.hdf5(folder + "/" + fileName) { bundle in
      try bundle.setAttribute("format", .string("odimo-evidence"))
      try bundle.setAttribute("format_version", .int(1))
      let entries =
        files.enumerated().map { ("runs/\($0.offset)", $0.element) } + (reference.map { [("reference", $0)] } ?? [])
      for (group, file) in entries {
        let source = try HDF5File.open(file.path)
        defer { source.close() }
        try bundle.copy("/", from: source, to: group)
        try bundle.setAttribute(cellAttribute, .string(file.cell), at: group)
      }
    }
  }

  /// Rebuilds the file a report cell names from the bundle in `folder` as a standalone
  /// temporary file (the caller deletes it); nil when there is no bundle or it lacks the cell.
  static func extract(cell: String, folder: String) throws -> String? {
    let path = (folder.isEmpty ? "." : folder) + "/" + fileName
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    let bundle = try HDF5File.open(path)
    defer { bundle.close() }
    guard let entry = try entries(bundle).first(where: { $0.cell == cell }) else { return nil }
    let temporary = NSTemporaryDirectory() + "\(Self.extractionPrefix)\(UUID().uuidString).h5"
    try SafeWrite.hdf5(temporary) { file in try rebuild(entry.group, of: bundle, into: file) }
    return temporary
  }

  /// The bundle's groups (`runs/<n>`, then `reference`) with the report cell each stands for.
  static func entries(_ bundle: HDF5File) throws -> [(group: String, cell: String)] {
    let runs = bundle.contains("runs") ? try bundle.children(of: "runs") : []
    let groups =
      runs.sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }.map { "runs/\($0)" }
      + (bundle.contains("reference") ? ["reference"] : [])
    return try groups.map { ($0, try bundle.attribute(cellAttribute, at: $0).stringValue ?? "") }
  }

  /// Copies a bundled file's group into the root of `file`: the file as it was cited.
  static func rebuild(_ group: String, of bundle: HDF5File, into file: HDF5File) throws {
    for child in try bundle.children(of: group) { try file.copy("\(group)/\(child)", from: bundle, to: child) }
    for name in try bundle.attributeNames(at: group) where name != cellAttribute {
      try file.setAttribute(name, try bundle.attribute(name, at: group))
    }
  }
}
