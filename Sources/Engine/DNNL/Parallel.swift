import CDNNL

/// Work split over oneDNN's own OpenMP threads (libgomp). Swift threads of our own would
/// compete with the OpenMP workers oneDNN leaves spinning after each primitive; running on
/// those workers instead gets every core without that fight.
enum Parallel {
  private struct Job {
    let body: (_ thread: Int, _ threads: Int) -> Void
  }

  /// Threads a parallel region gets (OMP_NUM_THREADS, else the cores).
  static var threads: Int { Int(omp_get_max_threads()) }

  /// Runs `body(thread, threads)` once on each thread of one parallel region and returns
  /// when all have finished. What a thread does must depend only on its index, so results
  /// do not depend on scheduling.
  static func region(_ body: (_ thread: Int, _ threads: Int) -> Void) {
    guard threads > 1 else { return body(0, 1) }
    withoutActuallyEscaping(body) { escapable in
      var job = Job(body: escapable)
      withUnsafeMutablePointer(to: &job) { pointer in
        GOMP_parallel(
          { raw in
            guard let job = raw?.assumingMemoryBound(to: Job.self).pointee else { return }
            job.body(Int(omp_get_thread_num()), Int(omp_get_num_threads()))
          }, pointer, 0, 0)
      }
    }
  }

  /// Runs `body(range)` on contiguous parts of 0..<count, one per thread (in one piece
  /// below `minimum` elements). Only for work whose result does not depend on the split.
  static func split(_ count: Int, minimum: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    guard count >= minimum, threads > 1 else { return body(0..<count) }
    region { thread, threads in
      body(part(thread, of: threads, count: count))
    }
  }

  /// The `index`-th of `parts` contiguous, nearly equal parts of 0..<count.
  static func part(_ index: Int, of parts: Int, count: Int) -> Range<Int> {
    (count * index / parts)..<(count * (index + 1) / parts)
  }
}
