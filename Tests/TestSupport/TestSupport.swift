import Foundation

/// A fresh temporary folder for one test, removed when the value goes away.
public final class ScratchFolder: @unchecked Sendable {
  public let path: String
  /// `inMemory` puts the folder on /dev/shm where there is one: fuzz tests write thousands
  /// of files, and every safe write syncs to disk.
  public init(inMemory: Bool = false) {
    var isDirectory: ObjCBool = false
    let memory = inMemory && FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory)
    path = (memory && isDirectory.boolValue ? "/dev/shm/" : NSTemporaryDirectory()) + "odimo-test-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  public func file(_ name: String) -> String { path + "/" + name }
  deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// What a child process printed and how it ended.
public struct ProcessResult: Sendable {
  public let status: Int32
  public let stdout: String
  public let stderr: String
}

/// A child process that failed.
public struct ProcessFailure: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}

/// Runs `executable`, reading both pipes concurrently so a chatty child never blocks;
/// `environment` adds to (or overrides) this process's variables.
public func runProcess(
  _ executable: String, _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:]
) throws -> ProcessResult {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
  if !environment.isEmpty {
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
  }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  nonisolated(unsafe) var errors = Data()
  let group = DispatchGroup()
  DispatchQueue.global().async(group: group) { errors = err.fileHandleForReading.readDataToEndOfFile() }
  let output = out.fileHandleForReading.readDataToEndOfFile()
  group.wait()
  process.waitUntilExit()
  return ProcessResult(
    status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
    stderr: String(decoding: errors, as: UTF8.self))
}

/// Runs a program and throws on a non-zero exit.
public func run(_ executable: String, _ arguments: [String], in directory: String? = nil) throws {
  let result = try runProcess(executable, arguments, in: directory)
  guard result.status == 0 else { throw ProcessFailure("\(executable) \(arguments) failed: \(result.stderr)") }
}

/// Runs Debian's python3 (which has h5py) on a script; returns stdout, throws on failure.
public func runPython(_ script: String, arguments: [String] = []) throws -> String {
  let result = try runProcess("/usr/bin/python3", ["-c", script] + arguments)
  guard result.status == 0 else { throw ProcessFailure("python failed: \(result.stderr)") }
  return result.stdout
}

/// Runs the `odimo` executable built beside the test bundle.
public func odimo(_ arguments: String...) throws -> ProcessResult { try odimo(arguments) }

public func odimo(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
  let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    .deletingLastPathComponent().appendingPathComponent("odimo")
  return try runProcess(executable.path, arguments, environment: environment)
}

/// The repository's root folder.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
  .deletingLastPathComponent()

/// The reference cost figures (a copy of shared/reference/cost-golden.json kept in the
/// repository, so a fresh clone tests against them with nothing beside it).
public let goldenCostPath = repositoryRoot.appendingPathComponent("Tests/Fixtures/cost-golden.json").path

/// Starts `odimo` with `arguments` in the background, waits until `file` appears (the
/// first checkpoint or run file it writes), then SIGKILLs it — a run killed mid-way.
/// Returns whether the process died of the signal.
@discardableResult
public func killOdimo(
  _ arguments: [String], whenFileAppears file: String, timeout: TimeInterval = 120,
  environment: [String: String] = [:]
) throws -> Bool {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    .deletingLastPathComponent().appendingPathComponent("odimo")
  process.arguments = arguments
  if !environment.isEmpty {
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, given in given }
  }
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  try process.run()
  let deadline = Date().addingTimeInterval(timeout)
  while !FileManager.default.fileExists(atPath: file) && Date() < deadline { usleep(20_000) }
  kill(process.processIdentifier, SIGKILL)
  process.waitUntilExit()
  return process.terminationReason == .uncaughtSignal
}

/// The scalars of every TensorBoard event file in `folder`, read with the `tensorboard`
/// Python package's own loader (pip install tensorboard; scripts/setup.sh installs it), as
/// "step tag value" lines in file order.
public func readWithTensorBoard(_ folder: String) throws -> [String] {
  let script = """
    import glob, sys
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    for path in sorted(glob.glob(sys.argv[1] + "/events.out.tfevents.*")):
        for event in EventFileLoader(path).Load():
            for value in event.summary.value:
                number = value.simple_value if value.HasField("simple_value") else value.tensor.float_val[0]
                print(event.step, value.tag, number)
    """
  let python = ProcessInfo.processInfo.environment["ODIMO_TENSORBOARD_PYTHON"] ?? "python3"
  let result = try runProcess("/usr/bin/env", [python, "-c", script, folder])
  guard result.status == 0 else { throw ProcessFailure("reading \(folder) with tensorboard failed: \(result.stderr)") }
  return result.stdout.split(separator: "\n").map(String.init)
}

/// The central finite difference (f(x + h) − f(x − h)) / 2h of `f` with respect to
/// `buffer[index]`, which is restored afterwards.
public func centralDifference(
  _ buffer: UnsafeMutableBufferPointer<Float>, at index: Int, step h: Float, _ f: () throws -> Double
) rethrows -> Double {
  let original = buffer[index]
  defer { buffer[index] = original }
  buffer[index] = original + h
  let up = try f()
  buffer[index] = original - h
  let down = try f()
  return (up - down) / (2 * Double(h))
}

/// The same for a function of an array of numbers, with respect to `values[index]`.
public func centralDifference(
  _ values: [Double], at index: Int, step h: Double, _ f: ([Double]) throws -> Double
) rethrows -> Double {
  var (up, down) = (values, values)
  up[index] += h
  down[index] -= h
  return (try f(up) - f(down)) / (2 * h)
}

/// Whether a numeric and an analytic derivative agree: |n − a| ≤ relative·max(|n|, |a|) + absolute.
public func derivativesAgree(_ numeric: Double, _ analytic: Double, relative: Double, absolute: Double) -> Bool {
  abs(numeric - analytic) <= relative * max(abs(numeric), abs(analytic)) + absolute
}
