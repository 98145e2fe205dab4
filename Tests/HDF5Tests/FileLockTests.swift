import Foundation
import HDF5
import TestSupport
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// HDF5 locks the files it opens; the lock must end when odimo closes the file, even if a
/// child process (git, sbatch, a test's `odimo`) was started while the file was open.
/// Foundation's `Process` closes the descriptors it lists before it spawns, but one opened
/// between that listing and the spawn (another thread, a parallel test) is inherited.
@Suite struct FileLockTests {
  let scratch = ScratchFolder()

  /// Starts `/bin/sleep 5` the way `system()` and most libraries do: inheriting every
  /// descriptor that is not close-on-exec.
  private func inheritingChild() throws -> pid_t {
    var pid: pid_t = 0
    let arguments = ["/bin/sleep", "5"]
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { for argument in argv { free(argument) } }
    let status = posix_spawn(&pid, "/bin/sleep", nil, nil, &argv, environ)
    guard status == 0 else { throw ProcessFailure("posix_spawn failed: \(status)") }
    return pid
  }

  @Test func aChildStartedWhileAFileIsOpenDoesNotKeepItLocked() throws {
    let path = scratch.file("locked.h5")
    let file = try HDF5File.create(path)
    try file.write([Float](repeating: 1, count: 4), to: "x", shape: [4])
    let child = try inheritingChild()
    defer {
      kill(child, SIGKILL)
      var status: Int32 = 0
      waitpid(child, &status, 0)
    }
    file.close()
    let reopened = try HDF5File.open(path, writable: true)
    #expect(try reopened.dataset("x").read(as: Float.self) == [1, 1, 1, 1])
  }
}
