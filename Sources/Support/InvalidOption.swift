/// A command-line option (or the same field of a library configuration) given a value
/// outside what it accepts. Every module throws this one type for such values, so the CLI
/// maps all of them to one exit status (64, a bad command line) and tests match its data.
package struct InvalidOption: Error, CustomStringConvertible, Sendable, Equatable {
  /// The option as a user types it ("--epochs").
  package let option: String
  /// The value given, as text.
  package let value: String
  /// What would have been accepted ("1…1,000,000").
  package let expected: String

  package init(_ option: String, value: some CustomStringConvertible, expected: String) {
    self.option = option
    self.value = value.description
    self.expected = expected
  }

  package var description: String { "\(option) is \(value); expected \(expected)" }
}
