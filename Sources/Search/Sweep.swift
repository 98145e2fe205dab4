import Engine
import Foundation
import HDF5
import Hardware
import Models
import Support

/// A λ sweep in a folder: `manifest.json` (configuration, λ grid, seed, git commit),
/// `warmup.h5` (the shared warmup), one `lambda-<λ>.h5` run file per λ, and after
/// `merge`, `sweep.json` with every point, the baselines, the Pareto front and the gains.
package enum Sweep {
  package struct Manifest: Codable, Sendable, Equatable {
    package var format = "odimo-sweep"
    package var formatVersion = 1
    package var configuration: SearchConfiguration
    package var lambdas: [Double]
    /// Hand-made mappings trained inside the sweep (by strategy name).
    package var baselines: [String]
    /// Whether the float reference is trained (`reference.h5`).
    package var reference: Bool
    package var gitCommit: String
    /// `--lambdas auto:N`: points in all after filling the front's widest gaps (nil: no filling).
    package var autoPoints: Int? = nil
    /// The λ values filling added, in the order they were run.
    package var addedLambdas: [Double] = []

    /// Every λ of the sweep: the grid, then those filling added.
    package var allLambdas: [Double] { lambdas + addedLambdas }

    init(
      configuration: SearchConfiguration, lambdas: [Double], baselines: [String], reference: Bool, gitCommit: String,
      autoPoints: Int?
    ) {
      self.configuration = configuration
      self.lambdas = lambdas
      self.baselines = baselines
      self.reference = reference
      self.gitCommit = gitCommit
      self.autoPoints = autoPoints
    }

    /// Manifests written before filling existed decode without it.
    package init(from decoder: any Decoder) throws {
      let container = try decoder.container(keyedBy: CodingKeys.self)
      format = try container.decode(String.self, forKey: .format)
      formatVersion = try container.decode(Int.self, forKey: .formatVersion)
      configuration = try container.decode(SearchConfiguration.self, forKey: .configuration)
      lambdas = try container.decode([Double].self, forKey: .lambdas)
      baselines = try container.decode([String].self, forKey: .baselines)
      reference = try container.decode(Bool.self, forKey: .reference)
      gitCommit = try container.decode(String.self, forKey: .gitCommit)
      autoPoints = try container.decodeIfPresent(Int.self, forKey: .autoPoints)
      addedLambdas = try container.decodeIfPresent([Double].self, forKey: .addedLambdas) ?? []
    }

    /// Whether `other` asks for the same sweep (filling's progress aside).
    /// This sweep with `other`'s λ values, baselines and float reference added (after its
    /// own, so jobs keep their numbers) and the larger of the two fill targets — or nil when
    /// `other` trains other networks (any setting but those differs).
    func extended(with other: Manifest) -> Manifest? {
      guard configuration == other.configuration else { return nil }
      var extended = self
      extended.lambdas += other.lambdas.filter { !allLambdas.contains($0) }
      extended.baselines += other.baselines.filter { !baselines.contains($0) }
      extended.reference = reference || other.reference
      if let points = other.autoPoints { extended.autoPoints = max(points, autoPoints ?? 0) }
      return extended
    }
  }

  /// One λ's outcome, read back from its run file.
  package struct Point: Codable, Sendable {
    package var lambda: Double
    package var run: String
    package var testAccuracy: Double
    package var latencyCycles: Double
    package var energyMicrojoules: Double?
  }

  package struct Summary: Codable, Sendable {
    package var manifest: Manifest
    package var points: [Point]
    package var baselines: [Point]
    package var latencyFront: [ParetoPoint]
    package var latencyGains: [IsoAccuracyGain]
    package var energyFront: [ParetoPoint]?
    package var energyGains: [IsoAccuracyGain]?
  }

  /// The default grid on the normalised scale (cost divided by the starting mapping's):
  /// λ = 0 (the most accurate mapping), then log-spaced by about 3 from 0.03, where cost
  /// barely moves the split, to 10, where it outweighs the task loss and layers go to their
  /// cheapest unit.
  package static let defaultLambdas: [Double] = [0, 0.03, 0.1, 0.3, 1, 3, 10]

  /// Sub-folders of a sweep folder holding the same sweep with other seeds (`seed-1`, …).
  package static let seedFolderPrefix = "seed-"

  /// The sweep folders of other seeds inside `folder` (with a manifest), by name.
  package static func seedFolders(in folder: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    return names.filter { $0.hasPrefix(seedFolderPrefix) }.sorted().map { folder + "/" + $0 }
      .filter { FileManager.default.fileExists(atPath: SweepFolder($0).manifest) }
  }

  /// A λ as its run file names it: the shortest text that reads back as the same number.
  package static func runName(_ lambda: Double) -> String { "lambda-\(lambda).h5" }

  /// `JSONEncoder.sorted`, indented for people reading the sweep folder.
  package static func encoder() -> JSONEncoder {
    let encoder = JSONEncoder.sorted
    encoder.outputFormatting.insert(.prettyPrinted)
    return encoder
  }

  /// The λ that splits the widest gap of the searched points' costs: between the
  /// neighbouring λ values (sorted) whose costs differ most in log, their geometric mean
  /// (a third of the upper one next to λ = 0). nil when no gap is wider than 5 % or the
  /// widest one's λ values are already within 10 % of each other.
  package static func nextLambda(_ points: [(lambda: Double, cost: Double)]) -> Double? {
    let sorted = points.filter { $0.cost > 0 && $0.cost.isFinite }.sorted { $0.lambda < $1.lambda }
    guard sorted.count >= 2 else { return nil }
    var widest: (gap: Double, low: Double, high: Double)?
    for (a, b) in zip(sorted, sorted.dropFirst()) where b.lambda > a.lambda * 1.1 {
      let gap = abs(Foundation.log(a.cost) - Foundation.log(b.cost))
      if gap > (widest?.gap ?? Foundation.log(1.05)) { widest = (gap, a.lambda, b.lambda) }
    }
    guard let widest else { return nil }
    let lambda = widest.low == 0 ? widest.high / 3 : (widest.low * widest.high).squareRoot()
    // Three significant digits keep run-file names readable. Dividing by an exact power of
    // ten gives the double nearest the decimal (173 × 0.001 is 0.17300000000000001; 173 / 1000
    // is 0.173).
    let exponent = Foundation.floor(Foundation.log10(lambda)) - 2
    let digits = (lambda / Foundation.pow(10, exponent)).rounded()
    return exponent < 0 ? digits / Foundation.pow(10, -exponent) : digits * Foundation.pow(10, exponent)
  }

  enum Job {
    case lambda(Double)
    case baseline(MappingStrategy)
    case reference

    /// The job's result file, relative to the sweep folder.
    var fileName: String {
      switch self {
      case .lambda(let lambda): Sweep.runName(lambda)
      case .baseline(let strategy): "baselines/" + strategy.name + ".h5"
      case .reference: FloatReference.checkpointName
      }
    }
  }

  /// Whether `path` is the run file of a finished run.
  package static func isComplete(_ path: String) -> Bool { RunFileFormat.isComplete(path) }

  /// One λ's point (or a baseline's, `lambda` −1) from its complete run file.
  static func point(_ path: String, lambda: Double) throws -> Point {
    guard RunFileFormat.isComplete(path) else {
      throw SearchError.runFile(file: path, problem: .incomplete)
    }
    let run = try RunFile.read(path)
    return Point(
      lambda: lambda, run: path, testAccuracy: run.testAccuracy, latencyCycles: run.latencyCycles,
      energyMicrojoules: run.energyMicrojoules)
  }

  /// Assembles every shard's points (and `baselines.json` if the folder has one) into
  /// `sweep.json`: points, Pareto fronts and iso-accuracy gains (ε in accuracy, 0–1).
  @discardableResult
  package static func merge(folder: String, epsilon: Double = 0) throws -> Summary {
    let manifest = try SweepFolder(folder).readManifest()
    // Diverged points are finished too; they have no figures to merge.
    let finished = manifest.allLambdas.filter { RunFileFormat.divergence(SweepFolder(folder).point($0)) == nil }
    let missing = finished.filter { !isComplete(SweepFolder(folder).point($0)) }
    guard missing.isEmpty else {
      throw SearchError.sweepFolder(folder: folder, problem: .unfinished(missing.map { "λ=\(RunFile.format($0))" }))
    }
    let points = try finished.sorted().map { try point(SweepFolder(folder).point($0), lambda: $0) }
    var baselines: [Point] = []
    let baselineFolder = SweepFolder(folder).baselines
    let files = (try? FileManager.default.contentsOfDirectory(atPath: baselineFolder)) ?? []
    for file in files.sorted()
    where file.hasSuffix(".h5") && RunFileFormat.divergence(baselineFolder + "/" + file) == nil {
      baselines.append(try point(baselineFolder + "/" + file, lambda: -1))
    }
    func front(_ cost: (Point) -> Double?) -> ([ParetoPoint], [IsoAccuracyGain])? {
      var all: [ParetoPoint] = []
      for point in points {
        guard let value = cost(point) else { return nil }
        all.append(
          ParetoPoint(
            name: "λ=\(RunFile.format(point.lambda))", kind: .searched, accuracy: point.testAccuracy, cost: value))
      }
      for baseline in baselines {
        guard let value = cost(baseline) else { return nil }
        let name = ((baseline.run as NSString).lastPathComponent as NSString).deletingPathExtension
        all.append(ParetoPoint(name: name, kind: .baseline, accuracy: baseline.testAccuracy, cost: value))
      }
      let pareto = ParetoFront(points: all, epsilon: epsilon)
      return (pareto.front, pareto.gains)
    }
    let latency = front { $0.latencyCycles }
    let energy = front { $0.energyMicrojoules }
    let summary = Summary(
      manifest: manifest, points: points, baselines: baselines, latencyFront: latency?.0 ?? [],
      latencyGains: latency?.1 ?? [], energyFront: energy?.0, energyGains: energy?.1)
    try SafeWrite.write(try encoder().encode(summary), to: SweepFolder(folder).summary)
    return summary
  }
}

extension Sweep.Manifest {
  /// The baselines as strategies, refusing a name odimo does not know (`folder` names the sweep).
  func strategies(folder: String) throws -> [MappingStrategy] {
    try baselines.map { name in
      guard let strategy = MappingStrategy(name: name) else {
        throw SearchError.sweepFolder(folder: folder, problem: .unknownBaseline(name))
      }
      return strategy
    }
  }

  /// The sweep's jobs in the order shards number them: the grid's λ points, the baselines,
  /// the float reference (filled λ points are not jobs: shard 1 runs them once these are done).
  func jobs(folder: String) throws -> [Sweep.Job] {
    let baselineJobs = try strategies(folder: folder).map { Sweep.Job.baseline($0) }
    return lambdas.map { .lambda($0) } + baselineJobs + (reference ? [.reference] : [])
  }

  /// The number of jobs (`jobs`), which shards and `sweep submit`'s arrays count.
  package var jobCount: Int { lambdas.count + baselines.count + (reference ? 1 : 0) }
}
