import ArgumentParser
import Datasets
import Deployment
import Engine
import Foundation
import HDF5
import Hardware
import Models
import Plot
import Reports
import Search
import Support

/// Exit statuses that mean something to scripts (documented in `odimo --help`).
enum ExitStatus {
  static let failure: Int32 = 1
  static let badInput: Int32 = 3
  /// odimo audit: a claim differs from what the run files give.
  static let auditFailed: Int32 = 4
  /// odimo audit: no claim differs, but some could not be checked.
  static let auditIncomplete: Int32 = 5
  /// An unknown option or an option's impossible value (sysexits' EX_USAGE, as ArgumentParser).
  static let commandLine: Int32 = 64
}

/// Runs a command body, printing any error as one clear line on stderr and mapping it
/// to an exit status: an option's impossible value is 64 (as ArgumentParser's own
/// command-line errors), bad input (files, their contents) 3, anything else 1.
func reportingErrors(_ body: () throws -> Void) throws {
  do {
    try body()
  } catch let error as ExitCode {
    throw error
  } catch let error as ValidationError {
    throw error
  } catch let error as InvalidOption {
    FileHandle.standardError.write(Data("odimo: error: \(error) (odimo help <command> lists the options)\n".utf8))
    throw ExitCode(ExitStatus.commandLine)
  } catch {
    FileHandle.standardError.write(Data("odimo: error: \(error)\n".utf8))
    throw ExitCode(isBadInput(error) ? ExitStatus.badInput : ExitStatus.failure)
  }
}

private func isBadInput(_ error: any Error) -> Bool {
  if let error = error as? EngineError { return error.isBadInput }
  switch error {
  case is HDF5Error, is InputError, is DatasetError, is SoCDescriptionError, is MappingMismatch,
    is UnmappableLayer, is ReportError, is PlotError, is SearchError, is SweepStatusError, is ExportError:
    return true
  default: return false
  }
}

/// A user-supplied value or file that cannot be used, with what was expected.
struct InputError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Prints a value as pretty JSON with sorted keys on stdout; property names become
/// snake_case keys unless `snakeCaseKeys` is false (keys that are data, like attribute names).
func printJSON<T: Encodable>(_ value: T, snakeCaseKeys: Bool = true) throws {
  let encoder = JSONEncoder()
  if snakeCaseKeys { encoder.keyEncodingStrategy = .convertToSnakeCase }
  encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
  encoder.nonConformingFloatEncodingStrategy = .convertToString(
    positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
  let data = try encoder.encode(value)
  FileHandle.standardOutput.write(data)
  FileHandle.standardOutput.write(Data("\n".utf8))
}
