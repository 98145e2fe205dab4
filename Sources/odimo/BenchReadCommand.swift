import ArgumentParser
import Foundation
import HDF5

struct BenchRead: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "read",
    abstract: "Read an image dataset in contiguous batches, uncompressed and gzip-chunked.",
    discussion: """
      Writes two temporary files holding N × 32 × 32 × 3 UInt8 images (one contiguous, one \
      chunked by whole images with shuffle + gzip + fletcher32), then reads each one \
      start to end in batches of --batch rows, for --rounds interleaved rounds. With \
      --compare-h5py the same files are read by h5py (Debian's /usr/bin/python3) in the \
      same rounds and the ratio odimo / h5py is printed.
      """
  )

  @Option(help: "Images in the dataset.") var images = 50_000
  @Option(help: "Rows per read.") var batch = 128
  @Option(help: "Interleaved rounds; the median is reported.") var rounds = 5
  @Option(help: "Images per chunk in the gzip file.") var chunkImages = 64
  @Option(help: "Folder for the temporary files.") var scratch = NSTemporaryDirectory()
  @Flag(help: "Time h5py on the same files in the same rounds.") var compareH5py = false
  @Flag(help: "Print a JSON summary.") var json = false

  func validate() throws {
    guard images > 0, batch > 0, batch <= images, rounds > 0, chunkImages > 0 else {
      throw ValidationError("--images, --batch, --rounds and --chunk-images must be positive, with --batch ≤ --images")
    }
  }

  struct Variant: Encodable {
    let name: String
    var odimo: [Double] = []
    var h5py: [Double] = []
  }

  struct Summary: Encodable {
    let images: Int
    let batch: Int
    let rounds: Int
    let results: [String: [String: Double]]
  }

  func run() throws {
    try reportingErrors {
      let id = UUID().uuidString.prefix(8)
      let plain = scratch + "/odimo-bench-plain-\(id).h5"
      let gzip = scratch + "/odimo-bench-gzip-\(id).h5"
      defer {
        try? FileManager.default.removeItem(atPath: plain)
        try? FileManager.default.removeItem(atPath: gzip)
      }
      try writeImages(plain, options: .contiguous)
      try writeImages(gzip, options: .archived(chunks: [chunkImages, 32, 32, 3]))
      var variants = [(plain, Variant(name: "uncompressed")), (gzip, Variant(name: "gzip-chunked"))]
      let script = try h5pyScript()
      for round in 1...rounds {
        for index in variants.indices {
          let path = variants[index].0
          variants[index].1.odimo.append(try readAll(path))
          if let script { variants[index].1.h5py.append(try h5pyRate(script: script, path: path)) }
        }
        if !json { FileHandle.standardError.write(Data("round \(round)/\(rounds) done\n".utf8)) }
      }
      var results: [String: [String: Double]] = [:]
      for (_, variant) in variants {
        var entry = ["odimo_images_per_second": median(variant.odimo)]
        if !variant.h5py.isEmpty {
          entry["h5py_images_per_second"] = median(variant.h5py)
          entry["ratio"] = median(variant.odimo) / median(variant.h5py)
        }
        results[variant.name] = entry
        if !json {
          var line = "\(variant.name): odimo \(Int(median(variant.odimo))) images/s"
          if let h5py = entry["h5py_images_per_second"], let ratio = entry["ratio"] {
            line += ", h5py \(Int(h5py)) images/s, ratio \(String(format: "%.2f", ratio))×"
          }
          print(line + " (median of \(rounds))")
        }
      }
      if json { try printJSON(Summary(images: images, batch: batch, rounds: rounds, results: results)) }
    }
  }

  private func writeImages(_ path: String, options: DatasetOptions) throws {
    let file = try HDF5File.create(path)
    defer { file.close() }
    let dataset = try file.createDataset("images", type: .uint8, shape: [images, 32, 32, 3], options: options)
    // Image-like bytes (smooth with noise) so gzip sees realistic redundancy; fixed seed.
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let rowsPerWrite = 1000
    var row = 0
    while row < images {
      let rows = min(rowsPerWrite, images - row)
      var bytes = [UInt8](repeating: 0, count: rows * 3072)
      for index in bytes.indices {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        bytes[index] = UInt8(truncatingIfNeeded: (index % 96) + Int(state >> 61))
      }
      try dataset.writeRows(at: row, bytes)
      row += rows
    }
  }

  private func readAll(_ path: String) throws -> Double {
    let file = try HDF5File.open(path)
    defer { file.close() }
    let dataset = try file.dataset("images")
    var buffer = [UInt8](repeating: 0, count: batch * 3072)
    let batches = images / batch
    let clock = ContinuousClock()
    let elapsed = try clock.measure {
      try buffer.withUnsafeMutableBufferPointer { pointer in
        for index in 0..<batches {
          try dataset.readRows((index * batch)..<((index + 1) * batch), into: pointer)
        }
      }
    }
    return Double(batches * batch) / elapsed.seconds
  }

  private func h5pyScript() throws -> String? {
    guard compareH5py else { return nil }
    let candidates = [
      URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("../../scripts/bench/h5py_read.py").standardized.path,
      FileManager.default.currentDirectoryPath + "/scripts/bench/h5py_read.py",
    ]
    guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
      throw InputError("scripts/bench/h5py_read.py not found; run from the repository root")
    }
    return found
  }

  private func h5pyRate(script: String, path: String) throws -> Double {
    let output = try runProcess("/usr/bin/python3", [script, path, "images", String(batch), "1"])
    guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any],
      let rate = object["images_per_second"] as? Double
    else { throw InputError("h5py benchmark printed no images_per_second: \(output)") }
    return rate
  }
}

/// The median of a non-empty sample (mean of the middle two for even counts).
func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  guard !sorted.isEmpty else { return .nan }
  let middle = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

extension Duration {
  /// The duration in seconds as a Double.
  var seconds: Double {
    let parts = components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }
}

/// Runs a program, returning its stdout; a non-zero exit becomes an error with its stderr.
func runProcess(_ executable: String, _ arguments: [String]) throws -> String {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  let output = out.fileHandleForReading.readDataToEndOfFile()
  let errors = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  guard process.terminationStatus == 0 else {
    throw InputError(
      "\(executable) \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
  }
  return String(decoding: output, as: UTF8.self)
}
