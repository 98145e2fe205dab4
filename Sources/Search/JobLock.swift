import Engine
import Foundation
import Models

/// An advisory lock (flock) on `<file>.lock`, so processes sharing a sweep folder — shards
/// on a cluster, or the same command started twice — never run one job at once: the shared
/// warmup is computed by one process while the others wait for it, and a point another
/// process is running is skipped. The OS drops the lock when its holder dies, so a killed
/// job's successor takes over (and resumes it).
struct JobLock {
  let path: String
  private let descriptor: Int32

  /// Takes the lock of `file`, waiting for it when `wait`, else returning nil if another
  /// process holds it.
  static func take(for file: String, wait: Bool) throws -> JobLock? {
    let path = file + ".lock"
    let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      throw SearchError.lock(file: path, reason: "cannot create the lock file: \(String(cString: strerror(errno)))")
    }
    while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
      if errno == EINTR { continue }
      let busy = errno == EWOULDBLOCK
      let reason = String(cString: strerror(errno))
      close(descriptor)
      if busy && !wait { return nil }
      throw SearchError.lock(file: path, reason: reason)
    }
    return JobLock(path: path, descriptor: descriptor)
  }

  /// Releases the lock (the lock file stays: removing it would race with a waiting process).
  func release() {
    flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}
