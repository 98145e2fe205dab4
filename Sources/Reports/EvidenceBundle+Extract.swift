import Foundation
import HDF5
import Support

extension EvidenceBundle {
  /// A file `extractAll` wrote: the report cell that cited it and where it now is.
  package struct ExtractedFile: Sendable, Equatable, Encodable {
    /// The path as the report's table names it.
    package var cell: String
    /// The standalone file written.
    package var path: String
    /// Whether it is the float reference checkpoint (else a run file).
    package var isReference: Bool
  }

  /// Writes every file the bundle beside `report` (a report folder, or its `report.md`)
  /// holds back as a standalone file under `out`, named as the report cited it below the
  /// folder its cells share (`…/sweep/lambda-0.03.h5` → `OUT/lambda-0.03.h5`,
  /// `…/sweep/baselines/all-digital.h5` → `OUT/baselines/all-digital.h5`): archived runs
  /// become run files again, for `odimo report` (another seed's runs beside them) or any
  /// HDF5 reader. Existing files are never replaced; each file is written whole or not at all.
  package static func extractAll(from report: String, to out: String) throws -> [ExtractedFile] {
    var isFolder: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: report, isDirectory: &isFolder)
    let folder = exists && !isFolder.boolValue ? (report as NSString).deletingLastPathComponent : report
    let path = (folder.isEmpty ? "." : folder) + "/" + fileName
    guard FileManager.default.fileExists(atPath: path) else { throw ReportError.noEvidence(folder: folder) }
    let bundle = try HDF5File.open(path)
    defer { bundle.close() }
    let entries = try entries(bundle)
    guard !entries.isEmpty else { throw ReportError.noEvidence(folder: folder) }
    let names = try relativeNames(entries.map(\.cell), bundle: path)
    let targets = names.map { out + "/" + $0 }
    if let taken = targets.first(where: { FileManager.default.fileExists(atPath: $0) }) {
      throw ReportError.extractionTarget(taken)
    }
    var written: [ExtractedFile] = []
    for (entry, target) in zip(entries, targets) {
      try FileManager.default.createDirectory(
        atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      try SafeWrite.hdf5(target) { file in try rebuild(entry.group, of: bundle, into: file) }
      written.append(ExtractedFile(cell: entry.cell, path: target, isReference: entry.group == "reference"))
    }
    return written
  }

  /// Each cell's path below the folder all cells share; refused when a cell is empty or two
  /// would be written as one name.
  static func relativeNames(_ cells: [String], bundle: String) throws -> [String] {
    guard !cells.contains(where: \.isEmpty) else {
      throw ReportError.report(file: bundle, problem: "a bundled file has no report_path")
    }
    let components = cells.map { ($0 as NSString).pathComponents.filter { $0 != "." } }
    var shared = components[0].dropLast().count
    for parts in components.dropFirst() {
      shared = min(shared, zip(components[0], parts.dropLast()).prefix { $0 == $1 }.count)
    }
    // Nothing climbs out of OUT: what is left of ".." or a root is dropped.
    let names = components.map { $0.dropFirst(shared).filter { $0 != ".." && $0 != "/" }.joined(separator: "/") }
    if Set(names).count != names.count {
      throw ReportError.report(file: bundle, problem: "two bundled files would both be written as one name")
    }
    return names
  }
}
