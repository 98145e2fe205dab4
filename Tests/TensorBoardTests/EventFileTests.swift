import Foundation
import TestSupport
import Testing

@testable import TensorBoard

@Suite struct EventFileTests {
  let scratch = ScratchFolder()

  @Test func crc32cOfTheStandardCheckString() {
    #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    #expect(CRC32C.checksum([UInt8]()) == 0)
  }

  /// Scalars written by odimo read back through TensorBoard's own event-file loader
  /// (which checks both CRCs of every record).
  @Test func scalarsReadBackWithTensorBoard() throws {
    let folder = scratch.file("tb/run")
    var clock = Date(timeIntervalSince1970: 1_800_000_000)
    let file = try EventFile(
      folder: folder,
      clock: {
        defer { clock += 1 }
        return clock
      })
    try file.scalars(["accuracy/validation": 0.5, "loss/train": 2.25], step: 1)
    try file.scalars(["accuracy/validation": 0.75, "loss/train": 1.5, "channels/conv1/digital": 12], step: 2)
    let read = try readWithTensorBoard(folder)
    #expect(
      read == [
        "1 accuracy/validation 0.5", "1 loss/train 2.25", "2 accuracy/validation 0.75",
        "2 channels/conv1/digital 12.0", "2 loss/train 1.5",
      ])
  }

  @Test func aFolderThatCannotBeCreatedIsNamed() throws {
    let blocker = scratch.file("plain-file")
    try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
    #expect {
      _ = try EventFile(folder: blocker + "/run")
    } throws: { error in
      guard case .cannotCreate(let path, _) = error as? TensorBoardError else { return false }
      return path == blocker + "/run"
    }
  }
}
