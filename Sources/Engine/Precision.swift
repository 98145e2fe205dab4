import CDNNL
import Foundation

/// The number format convolutions compute in. Master weights, gradients of the search's
/// logits, PACT clips and quantizer scales, batch norm and the loss stay float32 either way.
package enum Precision: String, Sendable, Codable, CaseIterable {
  /// Everything in float32.
  case fp32
  /// Convolutions read their input, weights and output gradient as bfloat16 (8 significant
  /// bits) and accumulate in float32: twice the multiply rate on CPUs with AVX512_BF16 or
  /// AMX. Depthwise convolutions and those with output maps under 16×16 stay float32, where
  /// oneDNN 2.6 has no faster bf16 kernel than its fp32 ones.
  case bf16

  /// bf16 where this CPU multiplies bfloat16 natively (AVX512_BF16 or AMX-BF16), else fp32.
  package static var automatic: Precision { CPUFeatures.current.hasNativeBFloat16 ? .bf16 : .fp32 }

  /// `fp32`, `bf16` or `auto` (`automatic`); nil for anything else.
  package init?(choice: String) {
    if choice == "auto" {
      self = Self.automatic
    } else if let value = Precision(rawValue: choice) {
      self = value
    } else {
      return nil
    }
  }

  /// The oneDNN type of a convolution's low-precision operands (input, weights, output gradient).
  var operandType: dnnl_data_type_t { self == .bf16 ? dnnl_bf16 : dnnl_f32 }
}

/// Instruction-set features read from /proc/cpuinfo (empty elsewhere).
package struct CPUFeatures: Sendable {
  package let flags: Set<String>

  package static let current = CPUFeatures(
    cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "")

  /// Parses the first `flags` line of /proc/cpuinfo text.
  package init(cpuinfo: String) {
    let line = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") }
    flags = Set((line?.split(separator: ":").last ?? "").split(separator: " ").map(String.init))
  }

  package var hasNativeBFloat16: Bool { flags.contains("avx512_bf16") || flags.contains("amx_bf16") }

  /// Whether oneDNN 2.6 has its bf16 convolution kernels here: natively, or emulated on
  /// AVX-512 (F, BW, VL, DQ). On AVX2-only CPUs most bf16 convolution primitives fail to
  /// create (oneDNN's "unimplemented"; `EngineError.precisionUnsupported`).
  package var hasBFloat16Kernels: Bool {
    hasNativeBFloat16 || ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(flags.contains)
  }
}
