import Foundation
import SwiftProtobuf

/// Why an event file could not be written.
package enum TensorBoardError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The folder could not be created or the file not opened.
  case cannotCreate(path: String, reason: String)
  /// A record could not be appended (disk full, file removed …).
  case cannotWrite(path: String, reason: String)

  package var description: String {
    switch self {
    case .cannotCreate(let path, let reason): "cannot create the TensorBoard event file \(path): \(reason)"
    case .cannotWrite(let path, let reason): "cannot write to the TensorBoard event file \(path): \(reason)"
    }
  }
}

/// One TensorBoard event file (`events.out.tfevents.<time>.<host>.<pid>` in a run's
/// folder): TFRecord-framed `Event` messages, the first naming the file version, then one
/// per step with that step's scalar summaries. Append-only: every process writes its own
/// file, so a resumed run adds a file beside the old one and TensorBoard reads both; a
/// killed process leaves at most one truncated record, which TensorBoard skips.
package final class EventFile {
  package let path: String
  private let handle: FileHandle
  private let clock: () -> Date

  /// Creates `folder` if needed and a new event file in it, stamped with `clock`'s time.
  package init(folder: String, clock: @escaping () -> Date = { Date() }) throws(TensorBoardError) {
    self.clock = clock
    let now = clock()
    let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
    path = folder + "/events.out.tfevents.\(Int(now.timeIntervalSince1970)).\(host).\(getpid())"
    do {
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    } catch {
      throw .cannotCreate(path: folder, reason: "\(error.localizedDescription)")
    }
    guard FileManager.default.createFile(atPath: path, contents: nil),
      let handle = FileHandle(forWritingAtPath: path)
    else { throw .cannotCreate(path: path, reason: String(cString: strerror(errno))) }
    self.handle = handle
    var event = Tensorflow_Event()
    event.wallTime = now.timeIntervalSince1970
    event.fileVersion = "brain.Event:2"
    try append(event)
  }

  deinit { try? handle.close() }

  /// Appends the scalars `values` (tag → value) at `step`, in tag order.
  package func scalars(_ values: [String: Double], step: Int) throws(TensorBoardError) {
    var event = Tensorflow_Event()
    event.wallTime = clock().timeIntervalSince1970
    event.step = Int64(step)
    event.summary.value = values.keys.sorted().map { tag in
      var value = Tensorflow_Summary.Value()
      value.tag = tag
      value.simpleValue = Float(values[tag] ?? .nan)
      return value
    }
    try append(event)
  }

  /// One TFRecord: length, masked CRC of the length, data, masked CRC of the data (all
  /// little-endian).
  private func append(_ event: Tensorflow_Event) throws(TensorBoardError) {
    let data: Data
    do { data = try event.serializedData() } catch { throw .cannotWrite(path: path, reason: "\(error)") }
    var record = Data()
    let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Data($0) }
    record.append(length)
    withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { record.append(contentsOf: $0) }
    record.append(data)
    withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { record.append(contentsOf: $0) }
    do { try handle.write(contentsOf: record) } catch {
      throw .cannotWrite(path: path, reason: error.localizedDescription)
    }
  }
}
