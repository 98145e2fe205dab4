import Foundation
import HDF5
import TestSupport
import Testing

/// `odimo export` end to end: every export is checked by its consumers' own code (ONNX's
/// checker, ONNX Runtime, PyTorch with safetensors) against the logits odimo computes for
/// the same images (scripts/check_export.py; setup.sh installs onnx, onnxruntime, torch).
@Suite struct ExportCommandTests {
  let scratch = ScratchFolder()

  /// What scripts/check_export.py reports about one export.
  struct Check: Decodable {
    let maxDifference: Double
    let imagesOver1e4: Int
    let argmaxEqual: Int
    let images: Int
    /// Per cost-model layer, output channels per unit annotation (ONNX only).
    let channels: [String: [String: Int]]?
    let metadata: [String: String]?

    enum CodingKeys: String, CodingKey {
      case maxDifference = "max_difference"
      case imagesOver1e4 = "images_over_1e-4"
      case argmaxEqual = "argmax_equal"
      case images, channels, metadata
    }
  }

  static let python = ProcessInfo.processInfo.environment["ODIMO_PYTHON"] ?? "python3"

  static var hasTorch: Bool {
    (try? runProcess("/usr/bin/env", [python, "-c", "import torch, safetensors"]).status) == 0
  }

  /// Exports `file` (extra `options`) and checks it with `kind` against `reference`, which
  /// the first export of a file writes (odimo's first 64 test images and logits).
  func exportAndCheck(_ file: String, _ kind: String, _ options: [String] = [], reference: String) throws -> Check {
    let out = scratch.file("\(UUID().uuidString).\(kind == "onnx" ? "onnx" : "d")")
    let writesReference =
      FileManager.default.fileExists(atPath: reference) ? [] : ["--reference", reference, "--reference-images", "64"]
    let exported = try odimo(["export", file, "--format", kind, "--out", out] + options + writesReference)
    #expect(exported.status == 0, "\(exported.stderr)")
    let script = repositoryRoot.appendingPathComponent("scripts/check_export.py").path
    let result = try runProcess("/usr/bin/env", [Self.python, script, kind, out, reference])
    guard result.status == 0 else { throw ProcessFailure("check_export.py \(kind) \(out): \(result.stderr)") }
    return try JSONDecoder().decode(Check.self, from: Data(result.stdout.utf8))
  }

  /// Float checkpoints of ResNet-8, ResNet-20 and MobileNetV1: ONNX (batch norm kept and
  /// folded) and PyTorch give odimo's logits within 1e-4.
  @Test(arguments: [["resnet8"], ["resnet20"], ["mobilenetv1", "--width", "0.25"]])
  func floatCheckpoints(model: [String]) throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 128, validation: 32, test: 64)
    let checkpoint = scratch.file("\(model[0]).h5")
    let trained = try odimo(
      ["train", "--model"] + model + ["--data", data, "--epochs", "1", "--batch", "32", "--out", checkpoint, "--quiet"])
    #expect(trained.status == 0, "\(trained.stderr)")
    let reference = scratch.file("\(model[0])-reference.h5")
    for options in [[], ["--fold-batch-norm"]] {
      let check = try exportAndCheck(checkpoint, "onnx", options, reference: reference)
      #expect(check.maxDifference < 1e-4 && check.argmaxEqual == check.images, "\(model) \(options): \(check)")
      #expect(check.metadata?["odimo.source_sha256"]?.count == 64)
    }
    guard Self.hasTorch else {
      print("skipped the PyTorch export check of \(model[0]): torch or safetensors is not installed")
      return
    }
    let check = try exportAndCheck(checkpoint, "pytorch", reference: reference)
    #expect(check.maxDifference < 1e-4, "\(model) pytorch: \(check)")
  }

  /// Channels per unit per layer of a run file's stored mapping, read with HDF5 alone.
  func mappingCounts(_ run: String) throws -> [String: [String: Int]] {
    let file = try HDF5File.open(run)
    defer { file.close() }
    let units = try #require(try file.attribute("units", at: "/mapping").stringsValue)
    var counts: [String: [String: Int]] = [:]
    for layer in try file.children(of: "/mapping/layers") {
      for unit in try file.read("/mapping/layers/\(layer)", as: Int32.self) {
        counts[layer, default: [:]][units[Int(unit)], default: 0] += 1
      }
    }
    return counts
  }

  /// A DIANA search (fake-quantized, folded, mixed int8/ternary layers) and a Darkside one
  /// (standard/depthwise branches): the split-by-unit graph has exactly the mapping's
  /// channels per unit per layer; float graphs reproduce odimo's logits; quantized ones agree
  /// on the argmax except where a rounding tie flips (see README: exact agreement is not
  /// possible across convolution libraries for fake-quantized networks).
  @Test(arguments: [
    ["--soc", "diana", "--model", "resnet8", "--lambda", "1"],
    ["--soc", "darkside", "--model", "mobilenetv1", "--width", "0.25", "--lambda", "2"],
  ])
  func searchedRuns(search: [String]) throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 128, validation: 32, test: 64)
    let run = scratch.file("run.h5")
    let searched = try odimo(["search"] + search + ["--data", data, "--seed", "2", "--out", run, "--quiet"])
    #expect(searched.status == 0, "\(searched.stderr)")
    let reference = scratch.file("run-reference.h5")
    let expected = try mappingCounts(run)
    let quantized = search.contains("diana")
    // DIANA's layers quantize; Darkside's are float, so --quantized would export the same graph.
    for options in quantized ? [[], ["--split-by-unit", "--quantized"]] : [[], ["--split-by-unit"]] {
      let check = try exportAndCheck(run, "onnx", options, reference: reference)
      if quantized {
        #expect(check.argmaxEqual >= check.images - 3, "\(options): \(check)")
      } else {
        #expect(check.maxDifference < 1e-4, "\(options): \(check)")
      }
      if options.contains("--split-by-unit") {
        // Every layer's convolutions, summed per unit, hold the mapping's channels.
        for (layer, units) in expected where check.channels?[layer] != nil {
          #expect(check.channels?[layer] == units.filter { $0.value > 0 }, "\(layer)")
        }
        let annotated = Set((check.channels ?? [:]).keys)
        #expect(annotated.isSuperset(of: expected.keys.filter { $0 != "classifier" }), "\(annotated)")
      }
      #expect(check.metadata?["odimo.soc"] == search[1])
    }
    if Self.hasTorch {
      let check = try exportAndCheck(run, "pytorch", reference: reference)
      #expect(quantized ? check.argmaxEqual >= check.images - 3 : check.maxDifference < 1e-4, "\(check)")
    }
  }

  /// Files and options export cannot use: exit 3 naming the file, 64 for a bad option.
  /// `--reference` evaluates 256 images at a time (a whole test split at once would need
  /// gigabytes): 300 images give 300 logits, the first 256 exactly those of a 256-image file.
  @Test func referenceLogitsComeInBatches() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 64, validation: 32, test: 300)
    let checkpoint = scratch.file("c.h5")
    #expect(
      try odimo(
        "train", "--model", "resnet8", "--data", data, "--epochs", "1", "--batch", "32", "--out", checkpoint, "--quiet"
      )
      .status == 0)
    func logits(_ images: Int) throws -> [Float] {
      let reference = scratch.file("r\(images).h5")
      let export = try odimo(
        "export", checkpoint, "--out", scratch.file("m.onnx"), "--reference", reference, "--reference-images",
        "\(images)")
      #expect(export.status == 0, "\(export.stderr)")
      return try HDF5File.open(reference).read("logits", as: Float.self)
    }
    let all = try logits(300)
    #expect(all.count == 300 * 4)
    #expect(try Array(all.prefix(256 * 4)) == logits(256))
  }

  @Test func badInput() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data, train: 64, validation: 32, test: 32)
    let missing = try odimo("export", scratch.file("none.h5"), "--out", scratch.file("x.onnx"))
    #expect(missing.status == 3 && missing.stderr.contains("none.h5"))
    let dataset = try odimo("export", data, "--out", scratch.file("x.onnx"))
    #expect(dataset.status == 3 && dataset.stderr.contains("q.h5"))
    let checkpoint = scratch.file("c.h5")
    #expect(
      try odimo(
        "train", "--model", "resnet8", "--data", data, "--epochs", "1", "--batch", "32", "--out", checkpoint, "--quiet"
      )
      .status == 0)
    let split = try odimo("export", checkpoint, "--out", scratch.file("x.onnx"), "--split-by-unit")
    #expect(split.status == 3 && split.stderr.contains("--split-by-unit"))
    let pytorch = try odimo("export", checkpoint, "--format", "pytorch", "--quantized", "--out", scratch.file("d"))
    #expect(pytorch.status == 64)
    let images = try odimo(
      "export", checkpoint, "--out", scratch.file("x.onnx"), "--reference", scratch.file("r.h5"), "--reference-images",
      "33")
    #expect(images.status == 64 && images.stderr.contains("--reference-images"))
    #expect(!FileManager.default.fileExists(atPath: scratch.file("r.h5")))
  }
}
