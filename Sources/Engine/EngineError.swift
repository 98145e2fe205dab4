/// What went wrong in the training engine, with the data a message needs. `isBadInput`
/// separates the user's files and values (exit status 3) from failures while running
/// (oneDNN, a diverging loss, a kernel used out of order: exit status 1).
package enum EngineError: Error, CustomStringConvertible, Sendable, Equatable {
  /// A oneDNN call failed (status as oneDNN numbers it).
  case oneDNN(call: String, status: Int)
  /// A kernel used out of order (a backward pass with no training forward pass before it,
  /// a layer whose input was never computed): a bug in the caller, not the user's input.
  case kernelMisuse(kernel: String, detail: String)
  /// A checkpoint that cannot serve the request, and why.
  case checkpoint(file: String, problem: CheckpointProblem)
  /// Stored weights that do not fit the network: the tensor, the values stored (nil: none)
  /// and the values the model needs.
  case weightsDoNotFit(model: String, tensor: String, stored: Int?, needed: Int)
  /// A batch of the wrong shape for the model.
  case inputShape(model: String, expected: String, got: [Int])
  /// A dataset whose images or classes no zoo model of that name takes.
  case datasetDoesNotFit(file: String, model: String, detail: String)
  /// The training loss stopped being a finite number (1-based epoch and step).
  case diverged(loss: Float, epoch: Int, step: Int)
  /// A precision oneDNN has no kernel for on this CPU (most bf16 convolutions on AVX2-only CPUs).
  case precisionUnsupported(Precision)

  package var isBadInput: Bool {
    switch self {
    case .oneDNN, .kernelMisuse, .diverged: false
    case .checkpoint, .weightsDoNotFit, .inputShape, .datasetDoesNotFit, .precisionUnsupported: true
    }
  }

  package var description: String {
    switch self {
    case .oneDNN(let call, let status): "oneDNN \(call) failed (status \(status))"
    case .kernelMisuse(let kernel, let detail): "\(kernel): \(detail)"
    case .checkpoint(let file, let problem): problem.message(file)
    case .weightsDoNotFit(let model, let tensor, let stored, let needed):
      if let stored {
        "the stored \(tensor) has \(stored) values but \(model) needs \(needed) (another model, width or class count?)"
      } else {
        "the stored weights lack \(tensor), which \(model) needs"
      }
    case .inputShape(let model, let expected, let got): "\(model) expects inputs of N×\(expected), got \(got)"
    case .datasetDoesNotFit(let file, let model, let detail): "\(file): \(detail) cannot feed \(model)"
    case .diverged(let loss, let epoch, let step):
      "the loss became \(loss) at epoch \(epoch), step \(step); lower the learning rate"
    case .precisionUnsupported(let precision):
      "--precision \(precision.rawValue): oneDNN 2.6 has no \(precision.rawValue) kernel for this convolution on this CPU "
        + "(its bf16 kernels need AVX-512 F, BW, VL and DQ, or native bfloat16); use fp32 or auto"
    }
  }
}

/// What is wrong with a checkpoint.
package enum CheckpointProblem: Sendable, Equatable {
  /// Its `format` attribute is not `odimo-checkpoint`.
  case notACheckpoint
  /// Written by a newer odimo (its format_version).
  case newerVersion(Int64)
  /// The architecture or state attribute is absent.
  case missingAttribute(String)
  /// The architecture or state JSON is not what odimo writes.
  case unreadable(String)
  /// A tensor the model needs is not in the file.
  case missingTensor(String)
  /// The checkpoint holds another model (its name).
  case otherModel(String)
  /// `--resume` with options other than the run's (the differences).
  case otherOptions(String)
  /// `--out` names an existing checkpoint without `--resume`.
  case exists

  func message(_ file: String) -> String {
    switch self {
    case .notACheckpoint: "\(file): not an odimo checkpoint (format attribute is not 'odimo-checkpoint')"
    case .newerVersion(let version): "\(file): checkpoint format_version is \(version); this odimo reads 1…2"
    case .missingAttribute(let name): "\(file): the checkpoint lacks its \(name) attribute"
    case .unreadable(let detail): "\(file): unreadable architecture/state JSON: \(detail)"
    case .missingTensor(let name): "\(file): checkpoint does not match the model: no tensor \(name)"
    case .otherModel(let model): "\(file): checkpoint does not match the model \(model)"
    case .otherOptions(let differences):
      "\(file) was written with other options; resume with the same ones. Differences: \(differences)"
    case .exists: "\(file) exists; pass --resume to continue it or choose another --out"
    }
  }
}
