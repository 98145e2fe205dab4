import Foundation

/// A fresh temporary folder for one test, removed when the value goes away.
final class ScratchFolder {
  let path: String
  init() {
    path = NSTemporaryDirectory() + "odimo-test-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  func file(_ name: String) -> String { path + "/" + name }
  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs Debian's python3 (which has h5py) on a script; returns stdout, throws on failure.
func runPython(_ script: String, arguments: [String] = []) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
  process.arguments = ["-c", script] + arguments
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  let output = out.fileHandleForReading.readDataToEndOfFile()
  let errors = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw PythonFailure(message: String(decoding: errors, as: UTF8.self))
  }
  return String(decoding: output, as: UTF8.self)
}

struct PythonFailure: Error, CustomStringConvertible {
  let message: String
  var description: String { "python failed: \(message)" }
}

/// Runs a program and fails the test on a non-zero exit.
func run(_ executable: String, _ arguments: [String], in directory: String? = nil) throws {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
  try process.run()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else { throw PythonFailure(message: "\(executable) \(arguments) failed") }
}

/// Big-endian bytes of a 32-bit value (IDX headers).
func bigEndian(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
