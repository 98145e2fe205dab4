import Testing

@testable import Plot

@Suite struct TicksTests {
  @Test func linearTicksAreRoundEvenlySpacedAndCoverTheData() {
    let (ticks, range) = Ticks.linear(71.3, 84.2)
    #expect(ticks == [70, 72.5, 75, 77.5, 80, 82.5, 85])
    #expect(range == (70, 85))
    let (small, _) = Ticks.linear(0.0031, 0.0094)
    #expect(small.first == 0.003 && small.last == 0.01)
  }

  @Test func degenerateRangesStillGetTicks() {
    let (ticks, range) = Ticks.linear(5, 5)
    #expect(ticks.count >= 2)
    #expect(range.0 < 5 && range.1 > 5)
  }

  @Test func niceStepsAreOneTwoTwoAndAHalfOrFiveTimesAPowerOfTen() {
    #expect(Ticks.niceStep(0.13) == 0.1)
    #expect(Ticks.niceStep(0.19) == 0.2)
    #expect(Ticks.niceStep(2.6) == 2.5)
    #expect(Ticks.niceStep(4400) == 5000)
    #expect(Ticks.niceStep(8) == 10)
  }

  @Test func logTicksUseDecadesAndTwoFiveWithinNarrowRanges() {
    let (wide, wideRange) = Ticks.log(3_100, 9_200_000)
    #expect(wide == [1e3, 1e4, 1e5, 1e6, 1e7])
    #expect(wideRange == (1e3, 1e7))
    let (middle, middleRange) = Ticks.log(31_000, 920_000)
    #expect(middle == [20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000])
    #expect(middleRange == (20_000, 1_000_000))
    let (narrow, narrowRange) = Ticks.log(76_000, 220_000)
    #expect(narrow == [70_000, 80_000, 90_000, 100_000, 200_000, 300_000])
    #expect(narrowRange == (70_000, 300_000))
  }

  @Test func labelsUseSISuffixesAndTheStepsDecimals() {
    #expect(Ticks.label(250_000, step: 50_000) == "250k")
    #expect(Ticks.label(1_250_000, step: 250_000) == "1.25M")
    #expect(Ticks.label(77.5, step: 2.5) == "77.5")
    #expect(Ticks.label(80, step: 2.5) == "80.0")
    #expect(Ticks.label(0.02, step: 0.01) == "0.02")
    #expect(Ticks.label(-0.0, step: 1) == "0")
  }
}
