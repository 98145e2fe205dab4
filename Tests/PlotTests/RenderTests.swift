import Foundation
import TestSupport
import Testing

@testable import Plot

@Suite struct RenderTests {
  static func sampleChart() -> Chart {
    Chart(
      title: "Accuracy vs latency (λ ∈ {0, 1})",
      x: Axis("Latency (cycles)", scale: .log), y: Axis("Test accuracy (%)"),
      series: [
        Series(
          "searched", points: [(80_000, 78.1), (120_000, 81.5), (190_000, 83.2)], color: .series(0),
          style: .markers, pointLabels: ["λ=3", "λ=1", "λ=0"]),
        Series("front", points: [(80_000, 78.1), (120_000, 81.5), (190_000, 83.2)], color: .series(0), style: .step),
        Series("all-digital", points: [(219_000, 84.1)], color: .series(1), style: .markers, marker: .square),
        Series("all-analog", points: [(77_600, 76.0)], color: .series(2), style: .markers, marker: .diamond),
      ],
      lines: [ReferenceLine(.horizontal, at: 85.0, label: "float reference")])
  }

  @Test func canvasPrimitivesCoverWhatTheyShould() {
    var canvas = Canvas(width: 20, height: 20)
    canvas.fillRectangle(x0: 2, y0: 2, x1: 6, y1: 6, .black)
    #expect(canvas.color(x: 3, y: 3) == .black)
    #expect(canvas.color(x: 7, y: 7) == .white)
    // Half a pixel of coverage blends halfway.
    canvas.fillRectangle(x0: 10, y0: 10, x1: 10.5, y1: 11, .black)
    #expect(canvas.color(x: 10, y: 10) == Color(128, 128, 128))
    // A horizontal 2-px line centred on a pixel boundary fills the two rows it straddles.
    canvas.strokePolyline([(12, 16), (18, 16)], lineWidth: 2, .black)
    #expect(canvas.color(x: 15, y: 15) == .black && canvas.color(x: 15, y: 16) == .black)
    #expect(canvas.color(x: 15, y: 13) == .white)
    canvas.fillCircle(x: 4, y: 15, radius: 2, .black)
    #expect(canvas.color(x: 4, y: 15) == .black && canvas.color(x: 0, y: 19) == .white)
  }

  @Test func dashedLinesLeaveGaps() {
    var canvas = Canvas(width: 40, height: 4)
    canvas.strokePolyline([(0, 2), (40, 2)], lineWidth: 2, .black, dash: (5, 5))
    #expect(canvas.color(x: 2, y: 1) == .black)
    #expect(canvas.color(x: 7, y: 1) == .white)
    #expect(canvas.color(x: 12, y: 1) == .black)
  }

  @Test func textIsDrawnInTheFont() throws {
    let font = try Font()
    var canvas = Canvas(width: 120, height: 30)
    canvas.drawText("Latency", x: 4, y: 20, size: 16, font: font)
    let inked = canvas.pixels.enumerated().filter { $0.offset % 3 == 0 && $0.element < 128 }.count
    #expect(inked > 60)
    #expect(font.width("Latency", size: 16) > font.width("Lat", size: 16))
    #expect(throws: PlotError.self) { try Font(path: "/nonexistent/font.ttf") }
  }

  @Test func identicalChartsGiveIdenticalPNGBytes() throws {
    let font = try Font()
    let first = try Self.sampleChart().render(font: font).pngData()
    let second = try Self.sampleChart().render(font: try Font()).pngData()
    #expect(first == second)
    #expect(first.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
  }

  /// Golden images: regenerate with ODIMO_UPDATE_GOLDEN=1 after an intended change and
  /// look at them before committing.
  @Test(arguments: ["pareto", "bars", "panels"])
  func matchesTheGoldenImage(_ name: String) throws {
    let font = try Font()
    let canvas: Canvas
    switch name {
    case "pareto": canvas = try Self.sampleChart().render(width: 320, height: 220, scale: 1, font: font)
    case "bars":
      canvas = try StackedBarChart(
        title: "Channels per unit", valueLabel: "Output channels", categories: ["stem", "block1.conv", "block2.conv"],
        stacks: [("digital", .series(0)), ("analog", .series(1))], values: [[16, 0], [10, 6], [4, 28]]
      ).render(width: 320, scale: 1, font: font)
    default:
      let curve = Chart(
        title: "Loss", x: Axis("Epoch"), y: Axis("Loss"),
        series: [Series("train", points: [(1, 1.2), (2, 0.8), (3, 0.6)], color: .series(0))],
        lines: [ReferenceLine(.vertical, at: 1.5, label: "search", inLegend: false)])
      canvas = try Figure.panels([curve, curve], width: 320, panelHeight: 160, scale: 1, font: font)
    }
    let path = repositoryRoot.appendingPathComponent("Tests/PlotTests/Golden/\(name).png").path
    let data = try canvas.pngData()
    if ProcessInfo.processInfo.environment["ODIMO_UPDATE_GOLDEN"] == "1" {
      try data.write(to: URL(fileURLWithPath: path))
    }
    let golden = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect(data == golden, "\(name) differs from \(path); if the change is intended, rerun with ODIMO_UPDATE_GOLDEN=1")
  }

  @Test func badDataIsRefusedWithTheSeriesNamed() throws {
    let font = try Font()
    var chart = Self.sampleChart()
    chart.series[0].points[0].x = -1
    #expect { try chart.render(font: font) } throws: { "\($0)".contains("searched") && "\($0)".contains("logarithmic") }
    chart = Self.sampleChart()
    chart.series[1].points[1].y = .nan
    #expect { try chart.render(font: font) } throws: { "\($0)".contains("front") }
    let bars = StackedBarChart(
      title: "", valueLabel: "", categories: ["a"], stacks: [("x", .black)], values: [[1, 2]])
    #expect(throws: PlotError.self) { try bars.render(font: font) }
  }
}

extension RenderTests {
  /// Writes the sample chart as a PNG — into `ODIMO_PLOT_PREVIEW` for a person to look at,
  /// else a scratch folder — and checks it is a whole PNG file of the chart's size.
  @Test func previewForPeople() throws {
    let scratch = ScratchFolder()
    let folder = ProcessInfo.processInfo.environment["ODIMO_PLOT_PREVIEW"] ?? scratch.path
    let canvas = try Self.sampleChart().render(font: try Font())
    let path = folder + "/preview.png"
    try canvas.writePNG(to: path)
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
    // IHDR: width and height, big-endian, at bytes 16…23; IEND closes the file.
    let field = { (offset: Int) in bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) } }
    #expect(field(16) == canvas.width && field(20) == canvas.height)
    #expect(bytes.suffix(8).starts(with: Array("IEND".utf8)))
  }
}
