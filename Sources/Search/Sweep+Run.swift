import Console
import Engine
import Foundation
import HDF5
import Hardware
import Models
import Support

extension Sweep {
  /// Runs shard `shard` (1-based) of `shards` of a sweep into `folder`: the shared warmup
  /// (one process computes it; the others wait), then this shard's jobs — λ points, the
  /// hand-made `baselines` (`baselines/<name>.h5`, trained from the warmup) and, with
  /// `reference`, the float model (`reference.h5`) — dealt round-robin from job
  /// `jobOffset` on (so several seeds' sweeps share one numbering), then, with
  /// `autoPoints`, λ values where the front has its widest gaps (`nextLambda`) until the
  /// sweep has that many points. Finished jobs are skipped and interrupted ones resume, so
  /// running a sweep again continues it; λ values, baselines or the reference the folder's
  /// sweep lacks are added to it (`Manifest.extended`), and the jobs are the folder's.
  /// `warmupOnly` stops after the warmup. Returns the sweep's number of jobs.
  @discardableResult
  package static func run(
    _ configuration: SearchConfiguration, lambdas: [Double], baselines: [MappingStrategy] = [], reference: Bool = false,
    autoPoints: Int? = nil, folder: String, shard: Int = 1, shards: Int = 1, jobOffset: Int = 0,
    warmupOnly: Bool = false, observer: RunObserver = .silent
  ) throws -> Int {
    guard shards >= 1, (1...shards).contains(shard) else {
      throw InvalidOption("--shard", value: "\(shard)/\(shards)", expected: "I/N with 1 ≤ I ≤ N")
    }
    let manifest = try prepare(
      configuration, lambdas: lambdas, baselines: baselines, reference: reference, autoPoints: autoPoints,
      folder: folder)
    let jobs = try manifest.jobs(folder: folder)
    try warmUp(configuration, folder: folder, observer: observer)
    if warmupOnly { return jobs.count }
    let mine = jobs.enumerated().filter { ($0.offset + jobOffset) % shards == shard - 1 }.map(\.element)
    try run(mine, configuration, folder: folder, observer: observer)
    if let autoPoints = manifest.autoPoints, shard == 1 {
      try fill(manifest, to: autoPoints, configuration, folder: folder, observer: observer)
    }
    return jobs.count
  }

  /// Continues the sweep `folder/manifest.json` describes (`sweep submit`'s jobs run this).
  package static func resume(
    folder: String, shard: Int = 1, shards: Int = 1, jobOffset: Int = 0, warmupOnly: Bool = false,
    observer: RunObserver = .silent
  ) throws {
    let manifest = try SweepFolder(folder).readManifest()
    let baselines = try manifest.strategies(folder: folder)
    try run(
      manifest.configuration, lambdas: manifest.lambdas, baselines: baselines, reference: manifest.reference,
      autoPoints: manifest.autoPoints, folder: folder, shard: shard, shards: shards, jobOffset: jobOffset,
      warmupOnly: warmupOnly, observer: observer)
  }

  /// Writes the folder's manifest, or extends the one there with this sweep's λ values,
  /// baselines and reference (refusing a folder whose sweep trains other networks).
  /// Returns the manifest the folder now holds.
  @discardableResult
  package static func prepare(
    _ configuration: SearchConfiguration, lambdas: [Double], baselines: [MappingStrategy], reference: Bool,
    autoPoints: Int?, folder: String
  ) throws -> Manifest {
    guard !lambdas.isEmpty, lambdas.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
      throw InvalidOption(
        "--lambdas", value: lambdas.map { "\($0)" }.joined(separator: ","), expected: "finite numbers ≥ 0")
    }
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let manifest = Manifest(
      configuration: configuration, lambdas: lambdas, baselines: baselines.map(\.name), reference: reference,
      gitCommit: RunProvenance.commit(), autoPoints: autoPoints)
    let extend = { (existing: inout Manifest) in
      guard let extended = existing.extended(with: manifest) else {
        throw SearchError.sweepFolder(folder: folder, problem: .otherSweep)
      }
      existing = extended
    }
    return try SweepFolder(folder).updateManifest(creating: { manifest }, extend)
  }

  /// The shared warmup: one process computes (or resumes) it under its lock, the others wait.
  static func warmUp(
    _ configuration: SearchConfiguration, folder: String, observer: RunObserver
  ) throws {
    let path = SweepFolder(folder).warmup
    guard !isComplete(path), let lock = try JobLock.take(for: path, wait: true) else { return }
    defer { lock.release() }
    guard !isComplete(path) else { return }
    var warmup = configuration
    warmup.preset.searchEpochs = 0
    warmup.preset.fineTuneEpochs = 0
    // An interrupted warmup (a killed or preempted job) continues from its last epoch.
    let resume = FileManager.default.fileExists(atPath: path)
    observer.stage("warmup" + (resume ? " (resuming)" : ""))
    _ = try SearchRun.run(warmup, out: path, resume: resume, observer: observer)
  }

  /// Runs `jobs` in order, each under its lock (a job another process holds is skipped).
  static func run(
    _ jobs: [Job], _ configuration: SearchConfiguration, folder: String, observer: RunObserver
  ) throws {
    guard !jobs.isEmpty else { return }
    let weights = try RunFileFormat.weights(SweepFolder(folder).warmup)
    if jobs.contains(where: { if case .baseline = $0 { true } else { false } }) {
      try FileManager.default.createDirectory(atPath: SweepFolder(folder).baselines, withIntermediateDirectories: true)
    }
    // Jobs that did work (finished ones are skipped at once) time the shard's ETA.
    var durations: [Double] = []
    for (position, job) in jobs.enumerated() {
      let started = Date()
      defer {
        let seconds = Date().timeIntervalSince(started)
        if seconds > 1 { durations.append(seconds) }
      }
      let counter = "[\(position + 1)/\(jobs.count)\(jobETA(durations, remaining: jobs.count - position))]"
      let path = SweepFolder(folder).file(job.fileName)
      guard let lock = try JobLock.take(for: path, wait: false) else {
        observer.stage("\(counter) \(job.fileName) is being run by another process; skipped")
        continue
      }
      defer { lock.release() }
      if let note = RunFileFormat.divergence(path) {
        observer.stage("\(counter) \(job.fileName) diverged (\(note)); skipped — delete it to run it again")
        continue
      }
      do {
        try run(job, counter: counter, configuration, folder: folder, weights: weights, observer: observer)
      } catch let error as RunDiverged {
        // The other jobs go on; reports name the diverged one.
        observer.stage("\(counter) \(error)")
      }
    }
  }

  /// ", shard ETA 2 h 05 min" once a job has been timed: the mean job time × the jobs left.
  static func jobETA(_ durations: [Double], remaining: Int) -> String {
    guard !durations.isEmpty else { return "" }
    return ", shard ETA " + TimeSpan.text(durations.reduce(0, +) / Double(durations.count) * Double(remaining))
  }

  /// One job: a λ point, a baseline or the float reference, resumed if its file exists.
  static func run(
    _ job: Job, counter: String, _ configuration: SearchConfiguration, folder: String, weights: [String: [Float]],
    observer: RunObserver
  ) throws {
    let path = SweepFolder(folder).file(job.fileName)
    var point = configuration
    let resume = FileManager.default.fileExists(atPath: path)
    switch job {
    case .lambda(let lambda):
      if isComplete(path) { return }
      point.lambda = lambda
      observer.stage("\(counter) λ \(lambda)" + (resume ? " (resuming)" : ""))
      _ = try SearchRun.run(point, out: path, warmStart: weights, resume: resume, observer: observer)
    case .baseline(let strategy):
      if isComplete(path) { return }
      observer.stage("\(counter) baseline \(strategy.name)" + (resume ? " (resuming)" : ""))
      // The depthwise-separable layout is another network: it runs its own warmup.
      _ = try SearchRun.run(
        point, out: path, baseline: strategy, warmStart: strategy == .depthwiseSeparable ? nil : weights,
        resume: resume, observer: observer)
    case .reference:
      if FileManager.default.fileExists(atPath: SweepFolder(folder).referenceSummary) { return }
      observer.stage("\(counter) float reference" + (resume ? " (resuming)" : ""))
      try FloatReference.train(configuration, folder: folder, observer: observer)
    }
  }

  /// λ filling: once every point is done, adds points at the front's widest gaps until
  /// `autoPoints`; one process at a time (the manifest's lock), from the manifest as the
  /// others left it.
  static func fill(
    _ manifest: Manifest, to autoPoints: Int, _ configuration: SearchConfiguration, folder: String,
    observer: RunObserver
  ) throws {
    let manifestPath = SweepFolder(folder).manifest
    guard let lock = try JobLock.take(for: manifestPath, wait: false) else {
      observer.stage("λ filling: another process is filling this sweep")
      return
    }
    defer { lock.release() }
    var manifest = (try? SweepFolder(folder).readManifest()) ?? manifest
    // A filled point a killed process left unfinished continues first.
    for lambda in manifest.addedLambdas
    where !isComplete(SweepFolder(folder).point(lambda))
      && RunFileFormat.divergence(SweepFolder(folder).point(lambda)) == nil
    {
      observer.stage("[fill] λ \(lambda) (resuming)")
      try run([.lambda(lambda)], configuration, folder: folder, observer: observer)
    }
    while manifest.allLambdas.count < autoPoints {
      let done = manifest.allLambdas.filter { isComplete(SweepFolder(folder).point($0)) }
      let diverged = manifest.allLambdas.filter { RunFileFormat.divergence(SweepFolder(folder).point($0)) != nil }
      guard done.count + diverged.count == manifest.allLambdas.count else {
        observer.stage("λ filling waits for the other shards' points; run shard 1 again once they are done")
        return
      }
      let costs = try done.map { lambda -> (lambda: Double, cost: Double) in
        let found = try Sweep.point(SweepFolder(folder).point(lambda), lambda: lambda)
        let energy = configuration.metric == .energy ? found.energyMicrojoules : nil
        return (lambda, energy ?? found.latencyCycles)
      }
      guard let lambda = nextLambda(costs) else {
        observer.stage("λ filling: no gap left on the front to fill")
        return
      }
      manifest = try SweepFolder(folder).updateManifest { $0.addedLambdas.append(lambda) }
      observer.stage("[fill \(manifest.allLambdas.count)/\(autoPoints)] λ \(lambda)")
      // The grid's job runner: the point's own lock (which `sweep status` reads), resumption, divergence.
      try run([.lambda(lambda)], configuration, folder: folder, observer: observer)
    }
  }
}
