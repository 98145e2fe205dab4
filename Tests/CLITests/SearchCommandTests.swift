import Foundation
import HDF5
import TestSupport
import Testing

@Suite struct SearchCommandTests {
  let scratch = ScratchFolder()

  private func arguments(_ data: String, _ out: String) -> [String] {
    [
      "search", "--soc", "diana", "--model", "resnet8", "--data", data, "--metric", "latency", "--lambda", "1",
      "--seed", "4",
      "--out", out, "--json",
    ]
  }

  /// Without a terminal, progress is one ISO-timestamped line per epoch with its time and
  /// the run's ETA; --quiet leaves stderr empty and stdout the JSON summary alone.
  @Test func progressInALogAndQuiet() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 128, validation: 64, test: 64)
    let logged = try odimo(arguments(data, scratch.file("logged.h5")))
    #expect(logged.status == 0, "\(logged.stderr)")
    let lines = logged.stderr.split(separator: "\n").map(String.init)
    let pattern = try Regex(
      #"^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\] (warmup|search|fineTune) epoch (\d+)/(\d+)  train loss .* T \d\.\d{3}  \(\d+ s(, ETA .+)?\)$"#
    )
    #expect(!lines.isEmpty)
    for (index, line) in lines.enumerated() {
      let match = try #require(line.wholeMatch(of: pattern), "\(line)")
      let epoch = Int(match.output[2].substring ?? "")
      let total = Int(match.output[3].substring ?? "")
      #expect(epoch == index + 1 && total == lines.count, "\(line)")
      #expect(line.contains("ETA") == (index + 1 < lines.count), "\(line)")
    }
    let quiet = try odimo(arguments(data, scratch.file("quiet.h5")) + ["--quiet"])
    #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
    #expect((try? JSONSerialization.jsonObject(with: Data(quiet.stdout.utf8))) != nil)
  }

  /// `--tensorboard` writes one event-file folder per sweep job; TensorBoard's own reader
  /// finds every epoch of the λ point with the validation accuracy its run file holds, the
  /// channels per unit, and the float reference's epochs.
  @Test func sweepScalarsReadBackWithTensorBoard() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 128, validation: 64, test: 64)
    let folder = scratch.file("sweep")
    let board = scratch.file("board")
    let result = try odimo(
      "sweep", "run", "--soc", "diana", "--model", "resnet8", "--data", data, "--lambdas", "1", "--baselines",
      "all-digital", "--reference", "--seed", "3", "--out", folder, "--tensorboard", board, "--quiet")
    #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
    let point = try readWithTensorBoard(board + "/lambda-1.0")
    let accuracies = point.filter { $0.contains(" accuracy/validation ") }.compactMap { $0.split(separator: " ").last }
      .compactMap { Double($0) }
    let stored = try HDF5File.open(folder + "/lambda-1.0.h5").read("trace/validation_accuracy", as: Double.self)
    #expect(accuracies.count == stored.count && !stored.isEmpty)
    for (read, expected) in zip(accuracies, stored) { #expect(abs(read - expected) < 1e-6) }
    #expect(point.contains { $0.hasPrefix("1 channels/") && $0.contains("/analog ") })
    #expect(point.contains { $0.contains(" cost/lambda_cost ") } && point.contains { $0.contains(" temperature ") })
    #expect(try !readWithTensorBoard(board + "/warmup").isEmpty)
    #expect(try !readWithTensorBoard(board + "/baselines/all-digital").isEmpty)
    #expect(try readWithTensorBoard(board + "/reference").contains { $0.hasPrefix("1 accuracy/validation ") })
  }

  /// A search killed with SIGKILL and resumed ends with the same mapping, weights and
  /// accuracy as an uninterrupted one.
  @Test func killedSearchResumesToTheSameResult() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 256, validation: 64, test: 64)
    let whole = scratch.file("whole.h5")
    let uninterrupted = try odimo(arguments(data, whole))
    #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")

    let killed = scratch.file("killed.h5")
    try killOdimo(arguments(data, killed), whenFileAppears: killed)
    #expect(try HDF5File.open(killed).attribute("complete") == .int(0))
    let refused = try odimo(arguments(data, killed))
    #expect(refused.status == 3 && refused.stderr.contains("--resume"))
    let different = try odimo(arguments(data, killed).map { $0 == "1" ? "2" : $0 } + ["--resume"])
    #expect(different.status == 3 && different.stderr.contains("lambda: saved 1, now 2"))
    let resumed = try odimo(arguments(data, killed) + ["--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stdout == uninterrupted.stdout.replacingOccurrences(of: whole, with: killed))
    let a = try HDF5File.open(whole)
    let b = try HDF5File.open(killed)
    for name in try a.children(of: "weights") {
      #expect(try a.read("weights/\(name)", as: Float.self) == b.read("weights/\(name)", as: Float.self), "\(name)")
    }
    #expect(try a.attribute("test_accuracy") == b.attribute("test_accuracy"))
  }

  /// A run another build resumes keeps the commit that began it and records the resuming
  /// one in `odimo_resumed_by`; the report's setup row names both. A resume on a dataset
  /// whose bytes changed is refused.
  @Test func aRunResumedByAnotherBuildNamesBoth() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 256, validation: 64, test: 64)
    let run = scratch.file("run.h5")
    try killOdimo(arguments(data, run), whenFileAppears: run, environment: ["ODIMO_COMMIT": "began"])
    let changed = scratch.file("changed.h5")
    try FileManager.default.copyItem(atPath: run, toPath: changed)
    let resumed = try odimo(arguments(data, run) + ["--resume"], environment: ["ODIMO_COMMIT": "resumed"])
    #expect(resumed.status == 0, "\(resumed.stderr)")
    let file = try HDF5File.open(run)
    #expect(try file.attribute("odimo_commit") == .string("began"))
    #expect(try file.attribute("odimo_resumed_by").stringsValue == ["resumed"])
    file.close()
    let folder = scratch.file("report")
    #expect(try odimo("report", run, "--out", folder).status == 0)
    let text = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    #expect(text.contains("| Commit | `began, resumed` |"), "\(text)")

    try QuadrantData.write(data, train: 256, validation: 64, test: 65)
    let refused = try odimo(arguments(data, changed) + ["--resume"], environment: ["ODIMO_COMMIT": "resumed"])
    #expect(refused.status == 3 && refused.stderr.contains("SHA-256"), "\(refused.stderr)")
  }

  /// A search killed after its first epoch with `option value`: the run file stores the
  /// value, a resume with `other` is refused naming both, and an unknown `bad` is a command
  /// line error. Returns the data and the run file.
  func storedAndComparedOnResume(option: String, value: String, other: String, bad: String) throws -> (
    data: String, run: String
  ) {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 256, validation: 64, test: 64)
    let run = scratch.file("\(value).h5")
    try killOdimo(arguments(data, run) + [option, value], whenFileAppears: run)
    let stored = try HDF5File.open(run).attribute("configuration").stringValue ?? ""
    #expect(stored.contains("\"\(value)\""), "\(stored)")
    let refused = try odimo(arguments(data, run) + [option, other, "--resume"])
    #expect(refused.status == 3 && refused.stderr.contains("saved \(value), now \(other)"), "\(refused.stderr)")
    let wrong = try odimo(arguments(data, scratch.file("x.h5")) + [option, bad])
    #expect(wrong.status == 64 && wrong.stderr.contains(bad))
    return (data, run)
  }

  /// `--cost-gradient secant` is part of the run's configuration: stored in the run file
  /// and compared on resume like every other option.
  @Test func costGradientIsStoredAndComparedOnResume() throws {
    _ = try storedAndComparedOnResume(option: "--cost-gradient", value: "secant", other: "local", bad: "steepest")
  }

  /// `--precision bf16` is stored in the run file, a resume in another precision is
  /// refused, and the report states it; its audit recomputes the accuracy in bf16 too.
  @Test(.needsBFloat16Kernels)
  func precisionIsStoredComparedOnResumeAndReported() throws {
    let (data, run) = try storedAndComparedOnResume(option: "--precision", value: "bf16", other: "fp32", bad: "fp16")
    let resumed = try odimo(arguments(data, run) + ["--precision", "bf16", "--resume"])
    #expect(resumed.status == 0, "\(resumed.stderr)")

    let folder = scratch.file("report")
    #expect(try odimo("report", run, "--out", folder).status == 0)
    let text = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    #expect(text.contains("| Precision | bf16: "))
    let audit = try odimo("audit", folder + "/report.md", "--allow-outside")
    #expect(audit.status == 0, "\(audit.stdout)\n\(audit.stderr)")
  }

  /// A sweep killed inside a baseline continues that baseline from its last epoch (a
  /// cluster's time limit or preemption must not cost the epochs already done) and ends
  /// with the weights of an uninterrupted sweep.
  @Test func killedSweepResumesItsBaseline() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 256, validation: 64, test: 64)
    func sweep(_ folder: String) -> [String] {
      [
        "sweep", "run", "--soc", "diana", "--model", "resnet8", "--data", data, "--lambdas", "1", "--baselines",
        "all-digital", "--finetune-epochs", "3", "--seed", "2", "--reference", "--out", folder,
      ]
    }
    let whole = scratch.file("whole")
    let uninterrupted = try odimo(sweep(whole))
    #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
    let killed = scratch.file("killed")
    let baseline = killed + "/baselines/all-digital.h5"
    try killOdimo(sweep(killed), whenFileAppears: baseline)
    #expect(try HDF5File.open(baseline).attribute("complete") == .int(0))
    // sweep status reads the folder: the killed baseline is interrupted, or running while a
    // process holds its lock.
    func states() throws -> [String: String] {
      let status = try odimo("sweep", "status", killed, "--json")
      #expect(status.status == 0, "\(status.stderr)")
      let object = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
      let jobs = object?["jobs"] as? [[String: Any]] ?? []
      return Dictionary(
        uniqueKeysWithValues: jobs.compactMap { job in
          (job["name"] as? String).map { ($0, job["state"] as? String ?? "") }
        })
    }
    #expect(
      try states() == ["warmup": "done", "λ=1": "done", "all-digital": "interrupted", "float reference": "waiting"])
    let descriptor = open(baseline + ".lock", O_RDWR | O_CREAT, 0o644)
    #expect(descriptor >= 0 && flock(descriptor, LOCK_EX) == 0)
    #expect(try states()["all-digital"] == "running")
    close(descriptor)
    let resumed = try odimo(sweep(killed))
    #expect(resumed.status == 0, "\(resumed.stderr)")
    #expect(resumed.stderr.contains("baseline all-digital (resuming)"))
    let a = try HDF5File.open(whole + "/baselines/all-digital.h5")
    let b = try HDF5File.open(baseline)
    for name in try a.children(of: "weights") {
      #expect(try a.read("weights/\(name)", as: Float.self) == b.read("weights/\(name)", as: Float.self), "\(name)")
    }
    #expect(try a.attribute("test_accuracy") == b.attribute("test_accuracy"))

    // Killed inside the float reference: it continues from its checkpoint, to the same result.
    let third = scratch.file("killed-reference")
    try killOdimo(sweep(third), whenFileAppears: third + "/reference.h5")
    #expect(!FileManager.default.fileExists(atPath: third + "/reference.json"))
    let finished = try odimo(sweep(third))
    #expect(finished.status == 0, "\(finished.stderr)")
    func summary(_ folder: String) throws -> [String: Double] {
      let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/reference.json"))
      let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
      return object.compactMapValues { $0 as? Double }
    }
    #expect(try summary(third) == summary(whole) && (try summary(whole))["test_accuracy"] != nil)
  }

  /// Two shards started together on one folder compute the shared warmup once (the other
  /// waits for it), and the same shard started twice runs each job once.
  @Test func concurrentShardsShareOneWarmup() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 256, validation: 64, test: 64)
    let folder = scratch.file("sweep")
    func sweep(_ shard: String) -> [String] {
      [
        "sweep", "run", "--soc", "diana", "--model", "resnet8", "--data", data, "--lambdas", "0,1", "--warmup-epochs",
        "2", "--shard", shard, "--out", folder,
      ]
    }
    final class Outputs: @unchecked Sendable {
      let lock = NSLock()
      var results: [ProcessResult] = []
    }
    let outputs = Outputs()
    let runs = [sweep("1/2"), sweep("2/2"), sweep("2/2")]
    DispatchQueue.concurrentPerform(iterations: runs.count) { index in
      let result = try? odimo(runs[index])
      outputs.lock.lock()
      if let result { outputs.results.append(result) }
      outputs.lock.unlock()
    }
    #expect(outputs.results.count == 3 && outputs.results.allSatisfy { $0.status == 0 }, "\(outputs.results)")
    let warmups = outputs.results.filter { $0.stderr.contains("sweep: warmup") }
    #expect(warmups.count == 1, "\(outputs.results.map(\.stderr))")
    let second = outputs.results.filter { $0.stderr.contains("λ 1.0") }
    #expect(second.count == 1, "λ = 1 ran \(second.count) times")
    #expect(try HDF5File.open(folder + "/lambda-1.0.h5").attribute("complete") == .int(1))
  }

  /// Two processes with the same seed give the same Darkside search: Swift randomises
  /// dictionary order per process, so nothing may depend on it (the warmup's split draws did).
  @Test func sameSeedSameDarksideSearchAcrossProcesses() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 96, validation: 32, test: 32)
    var outputs: [String] = []
    for run in ["a.h5", "b.h5"] {
      let result = try odimo(
        "search", "--soc", "darkside", "--model", "mobilenetv1", "--width", "0.25", "--data", data, "--lambda", "2",
        "--out", scratch.file(run))
      #expect(result.status == 0, "\(result.stderr)")
      // Without the wall-clock parts: the time stamp and the epoch's duration.
      outputs.append(
        result.stderr.replacingOccurrences(of: #"\[[^\]]*\] "#, with: "", options: .regularExpression)
          .replacingOccurrences(of: #"  \([^)]*\)"#, with: "", options: .regularExpression))
    }
    #expect(outputs[0] == outputs[1])
    let a = try HDF5File.open(scratch.file("a.h5"))
    let b = try HDF5File.open(scratch.file("b.h5"))
    for name in try a.children(of: "weights") {
      #expect(try a.read("weights/\(name)", as: Float.self) == b.read("weights/\(name)", as: Float.self), "\(name)")
    }
  }
}
