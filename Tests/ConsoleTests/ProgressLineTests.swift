import Foundation
import Testing

@testable import Console

/// A clock the test moves by hand, and the text the display wrote.
private final class Bench: @unchecked Sendable {
  var now = Date(timeIntervalSince1970: 1_800_000_000)  // 2027-01-15T08:00:00Z
  var written: [String] = []
  let lock = NSLock()

  func display(_ mode: ProgressLine.Mode) -> ProgressLine {
    ProgressLine(
      mode: mode, clock: { [self] in lock.withLock { now } },
      write: { [self] text in lock.withLock { written.append(text) } })
  }

  func advance(_ seconds: Double) { lock.withLock { now += seconds } }
}

@Suite struct ProgressLineTests {
  @Test func etaOfAPhaseAndOfTheRunOnAFakeClock() {
    let bench = Bench()
    let display = bench.display(.terminal)
    let step = { (done: Int) in
      ProgressLine.Step(
        phase: "search", epoch: 2, epochs: 5, done: done, total: 100, imagesPerSecond: 512, metrics: "loss 0.5000")
    }
    display.step(step(1))  // starts the phase's clock
    bench.advance(30)
    display.step(step(26))
    let line = bench.written.last ?? ""
    // 25 steps in 30 s → 74 steps left take 88.8 s; the epoch takes 118.8 s, three more follow.
    #expect(line.hasPrefix("\r\u{1B}[Ksearch epoch 2/5 [======>"))
    #expect(line.contains("26/100 batches  512 img/s  loss 0.5000  30 s, ETA 1 min 29 s (run 7 min 25 s)"))
    #expect(ProgressLine.eta(done: 25, total: 100, elapsed: 30) == 90)
    #expect(ProgressLine.runETA(epochETA: 90, elapsed: 30, epoch: 2, epochs: 5) == 450.0)
    #expect(ProgressLine.eta(done: 0, total: 100, elapsed: 3) == nil)
  }

  @Test func terminalLinesAreThrottledButTheLastStepIsAlwaysDrawn() {
    let bench = Bench()
    let display = bench.display(.terminal)
    for done in 1...50 {
      display.step(ProgressLine.Step(phase: "train", epoch: 1, epochs: 1, done: done, total: 50))
      bench.advance(0.01)
    }
    // 0.5 s of steps at 10 redraws a second: the first, about four more, and the last.
    #expect((2...7).contains(bench.written.count))
    #expect(bench.written.last?.contains("50/50 batches") == true)
  }

  @Test func logModePrintsOneTimestampedLinePerEpochAndNoStepLines() {
    let bench = Bench()
    let display = bench.display(.log)
    display.step(ProgressLine.Step(phase: "search", epoch: 3, epochs: 10, done: 5, total: 10))
    display.epoch("search epoch 3/10  train loss 0.4000", epoch: 3, epochs: 10, seconds: 41)
    display.line("sweep: [2/11] λ 0.3")
    #expect(
      bench.written == [
        "[2027-01-15T08:00:00Z] search epoch 3/10  train loss 0.4000  (41 s, ETA 4 min 47 s)\n",
        "[2027-01-15T08:00:00Z] sweep: [2/11] λ 0.3\n",
      ])
  }

  @Test func aPermanentLineClearsTheRedrawnOne() {
    let bench = Bench()
    let display = bench.display(.terminal)
    display.step(ProgressLine.Step(phase: "train", epoch: 1, epochs: 2, done: 1, total: 10))
    display.epoch("train epoch 1/2", epoch: 1, epochs: 2, seconds: nil)
    #expect(bench.written.last == "\r\u{1B}[K[2027-01-15T08:00:00Z] train epoch 1/2\n")
  }

  @Test func quietWritesNothing() {
    let bench = Bench()
    let display = bench.display(.quiet)
    display.step(ProgressLine.Step(phase: "train", done: 1, total: 2))
    display.epoch("train epoch 1/2", epoch: 1, epochs: 2, seconds: 3)
    display.line("stage")
    display.finish()
    #expect(bench.written.isEmpty)
  }

  @Test func durationsAsPeopleReadThem() {
    #expect(TimeSpan.text(47.4) == "47 s")
    #expect(TimeSpan.text(247) == "4 min 07 s")
    #expect(TimeSpan.text(7500) == "2 h 05 min")
    #expect(TimeSpan.text(.nan) == "?")
    #expect(TimeSpan.text(-1) == "?")
  }
}
