/// A recursive-descent parser for `Expression`. Precedence, lowest first:
/// `?:`, `||`, `&&`, comparisons, `+ -`, `* / %`, unary `- !`, `^` (right-associative).
///
/// Hostile input is bounded: nesting deeper than `maximumNesting` is refused before the
/// parser's own recursion could exhaust the stack, and every node carries the depth and
/// the size its evaluation will have (named sub-formulas are inlined by reference, so a
/// chain of them can double the work at each step); a formula over `maximumDepth` or
/// `maximumSize` is refused, which keeps evaluation's recursion and time bounded too.
struct ExpressionParser {
  /// Parenthesis / operator nesting a formula may have while being parsed.
  static let maximumNesting = 100
  /// Depth and node count a formula may have once its sub-formulas are inlined.
  static let maximumDepth = 400
  static let maximumSize = 200_000

  /// A parsed node with the depth and size of its evaluation.
  struct Parsed {
    var node: Expression.Node
    var depth: Int
    var size: Int
  }

  private enum Token: Equatable {
    case number(Double)
    case identifier(String)
    case symbol(String)
    case end
  }

  private let characters: [Character]
  private let constants: [String: Double]
  private let definitions: [String: Parsed]
  private var nesting = 0
  private var position = 0
  private var token: Token = .end
  private var tokenStart = 0

  /// Functions and how many arguments each takes (nil: two or more).
  static let functions: [String: Int?] = [
    "ceil": 1, "floor": 1, "round": 1, "abs": 1, "gate": 1, "ceildiv": 2, "if": 3, "min": nil, "max": nil,
  ]

  init(_ source: String, constants: [String: Double], definitions: [String: Parsed] = [:]) {
    self.characters = Array(source)
    self.constants = constants
    self.definitions = definitions
  }

  mutating func parse() throws(ExpressionError) -> Parsed {
    try advance()
    guard token != .end else { throw ExpressionError(message: "empty formula", offset: 0) }
    let parsed = try parseConditional()
    guard token == .end else { throw error("unexpected \(describe(token)) after a complete formula") }
    return parsed
  }

  /// A node over `children`, refused when it would be deeper or larger than the limits.
  private func make(_ node: Expression.Node, _ children: [Parsed]) throws(ExpressionError) -> Parsed {
    let depth = 1 + (children.map(\.depth).max() ?? 0)
    let size = children.reduce(1) { $0 &+ $1.size }
    guard depth <= Self.maximumDepth else {
      throw error(
        "formula nested \(depth) levels deep once its sub-formulas are inlined (at most \(Self.maximumDepth))")
    }
    guard size <= Self.maximumSize else {
      throw error("formula of \(size) terms once its sub-formulas are inlined (at most \(Self.maximumSize))")
    }
    return Parsed(node: node, depth: depth, size: size)
  }

  /// Counts one level of parser recursion, refusing more than `maximumNesting`.
  private mutating func enter() throws(ExpressionError) {
    nesting += 1
    guard nesting <= Self.maximumNesting else {
      throw error("formula nested more than \(Self.maximumNesting) levels (parentheses, operators or unary signs)")
    }
  }

  private func error(_ message: String) -> ExpressionError { ExpressionError(message: message, offset: tokenStart) }

  private func describe(_ token: Token) -> String {
    switch token {
    case .number(let value): "number \(value)"
    case .identifier(let name): "'\(name)'"
    case .symbol(let symbol): "'\(symbol)'"
    case .end: "end of formula"
    }
  }

  private mutating func advance() throws(ExpressionError) {
    while position < characters.count, characters[position].isWhitespace { position += 1 }
    tokenStart = position
    guard position < characters.count else {
      token = .end
      return
    }
    let c = characters[position]
    if c.isNumber || (c == "." && position + 1 < characters.count && characters[position + 1].isNumber) {
      var end = position
      while end < characters.count, characters[end].isNumber || characters[end] == "." { end += 1 }
      if end < characters.count, characters[end] == "e" || characters[end] == "E" {
        var exponentEnd = end + 1
        if exponentEnd < characters.count, characters[exponentEnd] == "+" || characters[exponentEnd] == "-" {
          exponentEnd += 1
        }
        if exponentEnd < characters.count, characters[exponentEnd].isNumber {
          end = exponentEnd
          while end < characters.count, characters[end].isNumber { end += 1 }
        }
      }
      let text = String(characters[position..<end])
      guard let value = Double(text) else { throw error("malformed number '\(text)'") }
      token = .number(value)
      position = end
      return
    }
    if c.isLetter || c == "_" {
      var end = position
      while end < characters.count, characters[end].isLetter || characters[end].isNumber || characters[end] == "_" {
        end += 1
      }
      token = .identifier(String(characters[position..<end]))
      position = end
      return
    }
    let two = position + 1 < characters.count ? String(characters[position...position + 1]) : ""
    if ["<=", ">=", "==", "!=", "&&", "||"].contains(two) {
      token = .symbol(two)
      position += 2
      return
    }
    guard "+-*/%^()<>,?:!".contains(c) else { throw error("unexpected character '\(c)'") }
    token = .symbol(String(c))
    position += 1
  }

  private mutating func expect(_ symbol: String, _ context: String) throws(ExpressionError) {
    guard token == .symbol(symbol) else { throw error("expected '\(symbol)' \(context), found \(describe(token))") }
    try advance()
  }

  private mutating func parseConditional() throws(ExpressionError) -> Parsed {
    try enter()
    defer { nesting -= 1 }
    let condition = try parseBinary(level: 0)
    guard token == .symbol("?") else { return condition }
    try advance()
    let then = try parseConditional()
    try expect(":", "in a conditional 'c ? a : b'")
    let otherwise = try parseConditional()
    return try make(.conditional(condition.node, then.node, otherwise.node), [condition, then, otherwise])
  }

  private static let levels: [[String]] = [
    ["||"], ["&&"], ["<", "<=", ">", ">=", "==", "!="], ["+", "-"], ["*", "/", "%"],
  ]

  private mutating func parseBinary(level: Int) throws(ExpressionError) -> Parsed {
    guard level < Self.levels.count else { return try parseUnary() }
    var left = try parseBinary(level: level + 1)
    while case .symbol(let op) = token, Self.levels[level].contains(op) {
      try advance()
      let right = try parseBinary(level: level + 1)
      left = try make(.binary(op, left.node, right.node), [left, right])
      // Comparisons do not chain: "a < b < c" is almost always a mistake.
      if level == 2, case .symbol(let next) = token, Self.levels[2].contains(next) {
        throw error("comparisons cannot be chained; use && to combine them")
      }
    }
    return left
  }

  private mutating func parseUnary() throws(ExpressionError) -> Parsed {
    if token == .symbol("-") || token == .symbol("!") {
      guard case .symbol(let op) = token else { return try parsePower() }
      try enter()
      defer { nesting -= 1 }
      try advance()
      let operand = try parseUnary()
      return try make(.unary(op, operand.node), [operand])
    }
    return try parsePower()
  }

  private mutating func parsePower() throws(ExpressionError) -> Parsed {
    let base = try parsePrimary()
    guard token == .symbol("^") else { return base }
    try enter()
    defer { nesting -= 1 }
    try advance()
    let exponent = try parseUnary()
    return try make(.binary("^", base.node, exponent.node), [base, exponent])
  }

  private mutating func parsePrimary() throws(ExpressionError) -> Parsed {
    switch token {
    case .number(let value):
      try advance()
      return Parsed(node: .number(value), depth: 1, size: 1)
    case .symbol("("):
      try advance()
      let inner = try parseConditional()
      try expect(")", "to close '('")
      return inner
    case .identifier(let name):
      let start = tokenStart
      try advance()
      if token == .symbol("(") {
        guard let arity = Self.functions[name] else {
          throw ExpressionError(
            message: "unknown function '\(name)'; known: \(Self.functions.keys.sorted().joined(separator: ", "))",
            offset: start)
        }
        try advance()
        var arguments: [Parsed] = []
        if token != .symbol(")") {
          arguments.append(try parseConditional())
          while token == .symbol(",") {
            try advance()
            arguments.append(try parseConditional())
          }
        }
        try expect(")", "to close the arguments of \(name)(…)")
        if let arity, arguments.count != arity {
          throw ExpressionError(
            message: "\(name)() takes \(arity) argument\(arity == 1 ? "" : "s"), got \(arguments.count)", offset: start)
        }
        if arity == nil, arguments.count < 2 {
          throw ExpressionError(message: "\(name)() takes two or more arguments, got \(arguments.count)", offset: start)
        }
        return try make(.call(name, arguments.map(\.node)), arguments)
      }
      if let variable = Expression.Variable(rawValue: name) {
        return Parsed(node: .variable(variable), depth: 1, size: 1)
      }
      if let value = constants[name] { return Parsed(node: .number(value), depth: 1, size: 1) }
      if let definition = definitions[name] { return definition }
      let known = Expression.Variable.allCases.map(\.rawValue) + constants.keys.sorted() + definitions.keys.sorted()
      throw ExpressionError(
        message: "unknown variable '\(name)'; known: \(known.joined(separator: ", "))", offset: start)
    default:
      throw error("expected a number, variable, function or '(', found \(describe(token))")
    }
  }
}
