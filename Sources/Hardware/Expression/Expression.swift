import Foundation

/// A cycle formula over a layer's geometry, parsed from an SoC description file.
///
/// Syntax: numbers (`12`, `1.5e3`), variables, `+ - * / % ^`, comparisons
/// (`< <= > >= == !=`, giving 1 or 0), `&&`, `||`, `!`, `cond ? a : b`, parentheses and
/// functions `ceil`, `floor`, `round`, `abs`, `min`, `max` (two or more arguments),
/// `if(cond, a, b)`, `ceildiv(a, b)` (= ⌊(a + b − 1)/b⌋, i.e. ⌈a/b⌉ for whole a) and `gate(x)` (= [x ≥ 1]).
/// Variables: `ch` (this unit's output channels, fractional while searching), `c_in`,
/// `c_out` (the whole layer's), `k_x`, `k_y`, `k`, `o_x`, `o_y`, `groups`, `stride`,
/// plus the description's named constants and named sub-formulas.
///
/// Formulas are differentiable in `ch` like the built-ins: `ceil`, `floor` and `round`
/// pass their argument's gradient straight through, `ceildiv(a, b)` has slope 1/b
/// (`corrected`) or 1 (`reference`), and `gate` has the ramp's gradient between 0 and 1.
package struct Expression: Sendable, CustomStringConvertible {
  indirect enum Node: Sendable {
    case number(Double)
    case variable(Variable)
    case unary(String, Node)
    case binary(String, Node, Node)
    case conditional(Node, Node, Node)
    case call(String, [Node])
  }

  /// The variables a formula can read.
  package enum Variable: String, Sendable, CaseIterable {
    case ch, k, groups, stride
    case cIn = "c_in"
    case cOut = "c_out"
    case kX = "k_x"
    case kY = "k_y"
    case oX = "o_x"
    case oY = "o_y"
  }

  let root: Node
  /// The source text.
  package let source: String
  /// Depth and node count of the evaluation (sub-formulas inlined), bounded by the parser.
  let depth: Int
  let size: Int

  /// Parses `source`; `constants` are extra named values and `definitions` named
  /// sub-formulas, both folded in at parse time.
  package init(_ source: String, constants: [String: Double] = [:], definitions: [String: Expression] = [:])
    throws(ExpressionError)
  {
    var parser = ExpressionParser(
      source, constants: constants,
      definitions: definitions.mapValues { ExpressionParser.Parsed(node: $0.root, depth: $0.depth, size: $0.size) })
    let parsed = try parser.parse()
    self.root = parsed.node
    self.depth = parsed.depth
    self.size = parsed.size
    self.source = source
  }

  package var description: String { source }

  /// Evaluates the formula for `channels` of a layer's output channels.
  package func evaluate(geometry g: LayerGeometry, channels: Dual, convention: CostConvention) -> Dual {
    Self.evaluate(root, geometry: g, channels: channels, convention: convention)
  }

  private static func evaluate(_ node: Node, geometry g: LayerGeometry, channels: Dual, convention: CostConvention)
    -> Dual
  {
    func eval(_ node: Node) -> Dual { evaluate(node, geometry: g, channels: channels, convention: convention) }
    switch node {
    case .number(let value):
      return Dual(value)
    case .variable(let variable):
      return variableValue(variable, geometry: g, channels: channels)
    case .unary(let op, let operand):
      let x = eval(operand)
      return op == "-" ? -x : Dual(x.value == 0 ? 1 : 0)
    case .conditional(let condition, let then, let otherwise):
      return eval(condition).value != 0 ? eval(then) : eval(otherwise)
    case .binary(let op, let left, let right):
      return binary(op, eval(left), eval(right))
    case .call(let name, let arguments):
      return call(name, arguments.map(eval), convention: convention)
    }
  }

  private static func variableValue(_ variable: Variable, geometry g: LayerGeometry, channels: Dual) -> Dual {
    switch variable {
    case .ch: channels
    case .cIn: Dual(Double(g.cIn))
    case .cOut: Dual(Double(g.cOut))
    case .kX, .k: Dual(Double(g.kX))
    case .kY: Dual(Double(g.kY))
    case .oX: Dual(Double(g.oX))
    case .oY: Dual(Double(g.oY))
    case .groups: Dual(Double(g.groups))
    case .stride: Dual(Double(g.stride))
    }
  }

  /// A binary operator; comparisons and logic give 1 or 0 with no derivative.
  private static func binary(_ op: String, _ a: Dual, _ b: Dual) -> Dual {
    switch op {
    case "+": return a + b
    case "-": return a - b
    case "*": return a * b
    case "/": return a / b
    case "%": return Dual(a.value.truncatingRemainder(dividingBy: b.value), derivative: a.derivative)
    case "^":
      let value = Foundation.pow(a.value, b.value)
      let fromBase = b.value * Foundation.pow(a.value, b.value - 1) * a.derivative
      let fromExponent = b.derivative == 0 ? 0 : value * Foundation.log(a.value) * b.derivative
      return Dual(value, derivative: fromBase + fromExponent)
    case "<": return Dual(a.value < b.value ? 1 : 0)
    case "<=": return Dual(a.value <= b.value ? 1 : 0)
    case ">": return Dual(a.value > b.value ? 1 : 0)
    case ">=": return Dual(a.value >= b.value ? 1 : 0)
    case "==": return Dual(a.value == b.value ? 1 : 0)
    case "!=": return Dual(a.value != b.value ? 1 : 0)
    case "&&": return Dual(a.value != 0 && b.value != 0 ? 1 : 0)
    default: return Dual(a.value != 0 || b.value != 0 ? 1 : 0)  // "||"
    }
  }

  /// A built-in function of already evaluated arguments (arity checked by the parser).
  private static func call(_ name: String, _ values: [Dual], convention: CostConvention) -> Dual {
    switch name {
    case "ceil": Dual.ceil(values[0])
    case "floor": Dual.floor(values[0])
    case "round": Dual(values[0].value.rounded(), derivative: values[0].derivative)
    case "abs": values[0].value < 0 ? -values[0] : values[0]
    case "min": values.dropFirst().reduce(values[0]) { Dual.min($0, $1) }
    case "max": values.dropFirst().reduce(values[0]) { Dual.max($0, $1) }
    case "if": values[0].value != 0 ? values[1] : values[2]
    case "ceildiv": Dual.ceilDiv(values[0], values[1].value, convention)
    default: Dual.gate(values[0])  // "gate"
    }
  }
}

/// A formula that cannot be parsed, with the 0-based character offset of the problem.
package struct ExpressionError: Error, Sendable, CustomStringConvertible {
  package let message: String
  /// Offset in characters from the start of the formula.
  package let offset: Int

  package var description: String { "column \(offset + 1): \(message)" }
}
