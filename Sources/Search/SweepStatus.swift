import Foundation
import Support

/// Where every job of a sweep folder (and of its other seeds' folders) stands, read from
/// the folder alone: what `odimo sweep status` prints while a sweep runs — on this
/// machine or as a cluster's array tasks.
package struct SweepStatus: Sendable, Encodable {
  package enum State: String, Sendable, Encodable {
    /// Finished: its run file is complete.
    case done
    /// A process holds the job's lock and its run file has this many epochs.
    case running
    /// Its run file stopped part-way and no process holds it: `sweep run` resumes it.
    case interrupted
    /// Not started.
    case waiting
    /// Stopped at a non-finite loss (`detail` says where); not retried.
    case diverged
  }

  package struct Job: Sendable, Encodable {
    /// "warmup", "λ=0.1", "all-digital", "float reference".
    package var name: String
    /// The sweep folder's seed.
    package var seed: UInt64
    /// Relative to the sweep folder.
    package var file: String
    package var state: State
    /// Epochs written so far and in all (nil where unknown: the float reference, old files).
    package var epochs: Int?
    package var scheduledEpochs: Int?
    /// Wall time of the epochs written so far (seconds), and the time the rest would take at that pace.
    package var seconds: Double?
    package var remainingSeconds: Double?
    /// A finished run's test accuracy (0–1) and latency (cycles).
    package var testAccuracy: Double?
    package var latencyCycles: Double?
    /// Where a diverged run diverged.
    package var detail: String?
  }

  package var folder: String
  package var jobs: [Job]

  /// The status of the sweep in `folder` and of its `seed-*` folders.
  package static func read(folder: String) throws -> SweepStatus {
    var jobs: [Job] = []
    for sweep in [folder] + Sweep.seedFolders(in: folder) {
      guard let data = FileManager.default.contents(atPath: SweepFolder(sweep).manifest) else {
        throw SweepStatusError.notASweep(folder: sweep)
      }
      let manifest = try JSONDecoder.snakeCase.decode(Sweep.Manifest.self, from: data)
      let seed = manifest.configuration.seed
      var entries: [(String, String)] = [("warmup", "warmup.h5")]
      entries += manifest.allLambdas.map { ("λ=\(RunFile.format($0))", Sweep.runName($0)) }
      entries += manifest.baselines.map { ($0, "baselines/\($0).h5") }
      if manifest.reference { entries.append(("float reference", FloatReference.checkpointName)) }
      for (name, file) in entries {
        jobs.append(job(name: name, seed: seed, folder: sweep, file: file))
      }
    }
    return SweepStatus(folder: folder, jobs: jobs)
  }

  static func job(name: String, seed: UInt64, folder: String, file: String) -> Job {
    let path = folder + "/" + file
    var job = Job(name: name, seed: seed, file: file, state: .waiting)
    let isReference = file == FloatReference.checkpointName
    let exists = FileManager.default.fileExists(atPath: path)
    if isReference {
      if FileManager.default.fileExists(atPath: folder + "/" + FloatReference.summaryName) {
        job.state = .done
        job.testAccuracy = try? FloatReference.read(folder: folder)?.testAccuracy
        return job
      }
    } else if exists, let note = RunFileFormat.divergence(path) {
      job.state = .diverged
      job.detail = note
      return job
    } else if exists, Sweep.isComplete(path) {
      job.state = .done
      if let run = try? RunFile.read(path) {
        job.testAccuracy = run.testAccuracy
        job.latencyCycles = run.latencyCycles
        job.epochs = run.trace.count
        job.seconds = run.trace.compactMap(\.seconds).reduce(0, +)
      }
      return job
    }
    // Held: the lock file exists and cannot be taken (looking never creates one).
    let held =
      FileManager.default.fileExists(atPath: path + ".lock")
      && (try? JobLock.take(for: path, wait: false)).map { lock -> Bool in
        lock.release()
        return false
      } ?? true
    if held {
      job.state = .running
    } else if exists {
      job.state = .interrupted
    }
    if exists, !isReference, let file = try? RunFileFormat.open(path) {
      defer { file.close() }
      if let (_, trace) = try? RunFileFormat.configurationAndTrace(file, path: path) {
        job.epochs = trace.count
        job.scheduledEpochs = trace.last?.scheduledEpochs
        let times = trace.compactMap(\.seconds)
        if !times.isEmpty {
          job.seconds = times.reduce(0, +)
          if let total = job.scheduledEpochs {
            job.remainingSeconds = times.reduce(0, +) / Double(times.count) * Double(max(0, total - trace.count))
          }
        }
      }
    }
    return job
  }
}

package enum SweepStatusError: Error, CustomStringConvertible, Sendable {
  case notASweep(folder: String)

  package var description: String {
    switch self {
    case .notASweep(let folder): "\(folder): no manifest.json; expected a sweep folder written by odimo sweep run"
    }
  }
}
