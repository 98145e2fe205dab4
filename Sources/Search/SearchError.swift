/// A search, sweep or preset request that cannot be carried out, with the data a message needs.
package enum SearchError: Error, CustomStringConvertible, Sendable, Equatable {
  /// A preset field outside its range.
  case invalidPreset(preset: String, field: String, value: String, expected: String)
  /// A preset file that cannot be read or parsed.
  case presetFile(file: String, message: String)
  /// A run file that cannot serve the request, and why.
  case runFile(file: String, problem: RunFileProblem)
  /// A sweep folder that cannot serve the request, and why.
  case sweepFolder(folder: String, problem: SweepFolderProblem)
  /// Stored weights that do not fit the network built for them (another model, width or
  /// class count): where they came from, the network, the dataset and its classes.
  case weightsDoNotFit(source: String, network: String, dataset: String, classes: Int, detail: String)
  /// A dataset that is not the one a run recorded (by SHA-256), or cannot be checked.
  case datasetMismatch(run: String, dataset: String, recorded: String?, actual: String?)
  /// A job lock that cannot be taken.
  case lock(file: String, reason: String)

  package var description: String {
    switch self {
    case .invalidPreset(let preset, let field, let value, let expected):
      "preset \(preset): \(field) is \(value); expected \(expected)"
    case .presetFile(let file, let message): "\(file): \(message)"
    case .runFile(let file, let problem): problem.message(file)
    case .sweepFolder(let folder, let problem): problem.message(folder)
    case .weightsDoNotFit(let source, let network, let dataset, let classes, let detail):
      "\(source): its weights do not fit \(network) for \(dataset) (\(classes) classes): \(detail)"
    case .datasetMismatch(let run, let dataset, let recorded, let actual):
      if let recorded, let actual {
        "\(dataset) is not the dataset \(run) was made with: its SHA-256 is \(actual), the run recorded \(recorded)"
      } else {
        "\(run) records no dataset SHA-256 (written before odimo kept one), so \(dataset) cannot be checked against it"
      }
    case .lock(let file, let reason): "\(file): cannot lock (\(reason))"
    }
  }
}

/// What is wrong with a run file.
package enum RunFileProblem: Sendable, Equatable {
  case missing
  /// Its `format` attribute is not `odimo-run`.
  case notARunFile
  /// Interrupted: it needs resuming before it can be read as a result.
  case incomplete
  /// A required attribute is absent or not a finite number.
  case attribute(String)
  /// An attribute's JSON is not what odimo writes.
  case unreadable(attribute: String, detail: String)
  /// `--out` names an existing run without `--resume`.
  case exists
  /// `--resume` names no run.
  case nothingToResume
  /// `--resume` names a finished run.
  case alreadyComplete
  /// The run diverged (the note says where).
  case diverged(String)
  /// `--resume` of a run of another kind (search vs baseline, or another baseline).
  case otherKind(saved: String, requested: String)
  /// `--resume` with options other than the run's (the differences).
  case otherOptions(String)

  func message(_ file: String) -> String {
    switch self {
    case .missing: "\(file): no such run file"
    case .notARunFile: "\(file): not an odimo run file (format attribute is not 'odimo-run')"
    case .incomplete: "\(file): the run is not complete (interrupted); resume it with odimo search --resume"
    case .attribute(let name): "\(file): attribute \(name) is missing or not a finite number"
    case .unreadable(let attribute, let detail):
      "\(file): the \(attribute) attribute is not what odimo writes (\(detail))"
    case .exists: "\(file) exists; pass --resume to continue it or choose another --out"
    case .nothingToResume: "\(file): nothing to resume (no such run file)"
    case .alreadyComplete: "\(file): the run is already complete; nothing to resume"
    case .diverged(let note): "\(file) diverged (\(note)); delete it to run it again"
    case .otherKind(let saved, let requested): "\(file) is a run of \(saved), not of \(requested); resume it as such"
    case .otherOptions(let differences):
      "\(file) was written with other options; resume with the same ones. Differences: \(differences)"
    }
  }
}

/// What is wrong with a sweep folder.
package enum SweepFolderProblem: Sendable, Equatable {
  case noManifest
  /// The manifest describes other options than the ones given.
  case otherSweep
  /// The manifest names a baseline odimo does not know.
  case unknownBaseline(String)
  /// λ points (or a point's run file) not finished yet.
  case unfinished([String])

  func message(_ folder: String) -> String {
    switch self {
    case .noManifest: "\(folder): no manifest.json; is this a sweep folder written by odimo sweep?"
    case .otherSweep: "\(folder)/manifest.json describes another sweep; use a new folder or the same options"
    case .unknownBaseline(let name): "\(folder)/manifest.json names baseline '\(name)', which odimo does not know"
    case .unfinished(let points):
      "\(folder): \(points.joined(separator: ", ")) not finished; run the missing shards first (or the sweep again)"
    }
  }
}
