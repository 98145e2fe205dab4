import ArgumentParser
import Deployment
import Foundation
import HDF5
import Support

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write a checkpoint or a searched/baseline run as ONNX, or as a PyTorch module with safetensors weights.",
    discussion: """
      odimo export out/diana/lambda-1.h5 --out diana.onnx --split-by-unit --quantized writes \
      the network as deployed: every layer's channels on the unit the mapping gives them \
      (one Conv per unit, nodes annotated odimo.layer, odimo.unit, odimo.format, \
      odimo.channels), weights as the units hold them (int8 / ternary codes behind \
      DequantizeLinear) and PACT activations as Clip + QuantizeLinear/DequantizeLinear. \
      The model's metadata records the SoC, mapping, λ, accuracy, latency/energy and the \
      source file's SHA-256. --format pytorch --out DIR writes DIR/model.py (an nn.Module \
      with odimo's layer names) and DIR/model.safetensors. --reference FILE.h5 also writes \
      the first --reference-images test images as odimo feeds them, their labels and \
      odimo's logits, to check the export against (README: "From search to deployment").
      """
  )

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case onnx
    case pytorch
  }

  @Argument(help: "An odimo checkpoint (odimo train) or run file (odimo search, sweep, baselines).") var file: String
  @Option(help: "onnx or pytorch.") var format: Format = .onnx
  @Option(name: .shortAndLong, help: "The .onnx file, or the folder for model.py and model.safetensors.") var out:
    String
  @Flag(help: "ONNX: one convolution per compute unit over its channels (needs a run file).") var splitByUnit = false
  @Flag(help: "ONNX: quantized weights and activations as QuantizeLinear/DequantizeLinear.") var quantized = false
  @Flag(help: "ONNX: fold each float convolution's batch norm into its weights and bias.") var foldBatchNorm = false
  @Option(help: "Also write odimo's inputs, labels and logits for the first test images to this HDF5 file.")
  var reference: String?
  @Option(help: "Images in --reference.") var referenceImages = 256
  @Option(help: "The dataset for --reference (default: the one the file records).") var data: String?
  @Flag(help: "Print what was written as JSON.") var json = false

  struct Summary: Encodable {
    let files: [String]
    let model: String
    let metadata: [String: String]
  }

  func run() throws {
    try reportingErrors {
      if format == .pytorch, splitByUnit || quantized || foldBatchNorm {
        throw InvalidOption(
          "--format", value: "pytorch", expected: "onnx with --split-by-unit, --quantized or --fold-batch-norm")
      }
      let network = try DeployedNetwork.load(file, producer: odimoVersion)
      if splitByUnit, network.units.isEmpty { throw ExportError.needsMapping(file: file, option: "--split-by-unit") }
      var files: [String] = []
      switch format {
      case .onnx:
        let options = ONNXExportOptions(splitByUnit: splitByUnit, quantized: quantized, foldBatchNorm: foldBatchNorm)
        try SafeWrite.write(try ONNXExport.model(network, options: options, version: odimoVersion), to: out)
        files.append(out)
      case .pytorch:
        let export = try PyTorchExport(network, version: odimoVersion)
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let model = (out as NSString).appendingPathComponent("model.py")
        let weights = (out as NSString).appendingPathComponent("model.safetensors")
        try SafeWrite.write(Data(export.source.utf8), to: model)
        try SafeWrite.write(try export.tensors.data(), to: weights)
        files += [model, weights]
      }
      if let reference {
        try network.referenceBatch(count: referenceImages, dataset: data).write(reference)
        files.append(reference)
      }
      let summary = Summary(
        files: files, model: network.architecture.name,
        metadata: Dictionary(network.metadata.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 }))
      if json { return try printJSON(summary, snakeCaseKeys: false) }
      for path in files { print("wrote \(path)") }
    }
  }
}
