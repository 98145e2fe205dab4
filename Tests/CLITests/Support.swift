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

/// The result of running the `odimo` executable.
struct CommandResult {
  let status: Int32
  let stdout: String
  let stderr: String
}

/// Runs the `odimo` executable built beside this test bundle.
func odimo(_ arguments: String..., in directory: String? = nil) throws -> CommandResult {
  try odimo(arguments, in: directory)
}

func odimo(_ arguments: [String], in directory: String? = nil) throws -> CommandResult {
  let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    .deletingLastPathComponent().appendingPathComponent("odimo")
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  // Read both pipes concurrently so a chatty child cannot block on a full pipe.
  nonisolated(unsafe) var errors = Data()
  let group = DispatchGroup()
  DispatchQueue.global().async(group: group) { errors = err.fileHandleForReading.readDataToEndOfFile() }
  let output = out.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
    stderr: String(decoding: errors, as: UTF8.self))
}
