import Hardware
import Testing

@Suite struct ExpressionTests {
  let geometry = LayerGeometry(cIn: 64, cOut: 128, kX: 3, kY: 5, oX: 16, oY: 8, groups: 1, stride: 2)

  private func value(_ source: String, ch: Double = 10, constants: [String: Double] = [:]) throws -> Double {
    try Expression(source, constants: constants).evaluate(
      geometry: geometry, channels: Dual(ch), convention: .corrected
    )
    .value
  }

  @Test func precedenceAndAssociativity() throws {
    #expect(try value("2 + 3 * 4") == 14)
    #expect(try value("(2 + 3) * 4") == 20)
    #expect(try value("2 ^ 3 ^ 2") == 512)
    #expect(try value("-2 ^ 2") == -4)
    #expect(try value("10 - 4 - 3") == 3)
    #expect(try value("24 / 4 / 3") == 2)
    #expect(try value("7 % 4 + 1") == 4)
    #expect(try value("1 + 2 < 4 && 3 > 2") == 1)
    #expect(try value("1 < 2 || 0") == 1)
    #expect(try value("!(1 == 1)") == 0)
    #expect(try value("1.5e2 + .5") == 150.5)
  }

  @Test func variablesFunctionsAndConditionals() throws {
    #expect(
      try value("c_in + c_out + k_x + k_y + o_x + o_y + groups + stride + k") == 64 + 128 + 3 + 5 + 16 + 8 + 1 + 2 + 3)
    #expect(try value("ch", ch: 7.5) == 7.5)
    #expect(try value("ceil(2.1) + floor(2.9) + round(2.5) + abs(-4)") == 3 + 2 + 3 + 4)
    #expect(try value("min(5, 3, 9) * max(1, 7, 2)") == 21)
    #expect(try value("if(ch > 5, 100, 200)") == 100)
    #expect(try value("ch > 50 ? 1 : ch > 5 ? 2 : 3") == 2)
    #expect(try value("ceildiv(ch, 4)", ch: 9) == 3)
    #expect(try value("gate(ch)", ch: 0) == 0)
    #expect(try value("pe * 2", constants: ["pe": 16]) == 32)
  }

  @Test func derivativesFollowTheChainRule() throws {
    let e = try Expression("ch^2 * 3 + ceildiv(ch, 8) * 10 + if(ch > 1, ch, 0)")
    let d = e.evaluate(geometry: geometry, channels: .variable(4), convention: .corrected).derivative
    #expect(abs(d - (2 * 4 * 3 + 10.0 / 8 + 1)) < 1e-12)
  }

  private func failure(_ source: String) -> ExpressionError? {
    do {
      _ = try Expression(source)
      return nil
    } catch {
      return error
    }
  }

  @Test func everyErrorSaysWhatAndWhere() throws {
    let cases: [(String, String, Int)] = [
      ("", "empty formula", 0),
      ("ch + $", "unexpected character '$'", 5),
      ("ch + ", "expected a number, variable, function or '(', found end of formula", 5),
      ("(ch + 1", "expected ')' to close '('", 7),
      ("foo(ch)", "unknown function 'foo'", 0),
      ("ceil(1, 2)", "ceil() takes 1 argument, got 2", 0),
      ("min(1)", "min() takes two or more arguments, got 1", 0),
      ("ch * c_inn", "unknown variable 'c_inn'", 5),
      ("1 < ch < 3", "comparisons cannot be chained", 7),
      ("ch 2", "unexpected number 2.0 after a complete formula", 3),
      ("ch > 1 ? 2", "expected ':' in a conditional", 10),
      ("ceil(ch", "expected ')' to close the arguments of ceil(…)", 7),
    ]
    for (source, message, offset) in cases {
      let error = try #require(failure(source), "\(source) should not parse")
      #expect(error.message.hasPrefix(message), "\(source): \(error.message)")
      #expect(error.offset == offset, "\(source): offset \(error.offset)")
    }
  }

  /// Hostile formulas end in an error, fast: nesting 10,000 deep (a stack overflow before),
  /// long sign chains, long flat sums (a deep tree), and sub-formulas that double in size.
  @Test func hostileFormulasAreRefusedQuickly() throws {
    let deep = String(repeating: "(", count: 10_000) + "ch" + String(repeating: ")", count: 10_000)
    #expect(try #require(failure(deep)).message.contains("nested more than"))
    for sign in ["-", "!"] {
      #expect(try #require(failure(String(repeating: sign, count: 20_000) + "ch")).message.contains("nested"))
    }
    #expect(try #require(failure("2 ^ " + String(repeating: "2 ^ ", count: 5_000) + "ch")).message.contains("nested"))
    let flat = (0..<5_000).map { _ in "ch" }.joined(separator: " + ")
    #expect(try #require(failure(flat)).message.contains("levels deep"))
    // Sub-formulas inlined by reference: f_k = f_(k-1) + f_(k-1) doubles the work each step.
    var definitions: [String: Expression] = ["f0": try Expression("ch")]
    var refused: ExpressionError?
    for k in 1..<40 {
      do {
        definitions["f\(k)"] = try Expression("f\(k - 1) + f\(k - 1)", definitions: definitions)
      } catch {
        refused = error
        break
      }
    }
    #expect(refused?.message.contains("terms") == true)
    // Ordinary formulas stay well inside the limits.
    #expect(try value("ceildiv(ch, 16) * c_in * ceildiv(o_x, 16) * o_y * k_x * k_y + gate(ch) * o_x * o_y") > 0)
  }
}
