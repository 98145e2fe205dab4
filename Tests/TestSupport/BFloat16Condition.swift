import Engine
import Testing

extension Trait where Self == ConditionTrait {
  /// Runs a test only where oneDNN 2.6 has bf16 convolutions (`CPUFeatures.hasBFloat16Kernels`:
  /// AVX-512 F/BW/VL/DQ or native bf16); on AVX2-only CPUs most of them are unimplemented.
  package static var needsBFloat16Kernels: Self {
    .enabled(if: CPUFeatures.current.hasBFloat16Kernels, "oneDNN 2.6 lacks most bf16 convolutions on this CPU")
  }

  /// Runs a test only where oneDNN 2.6 lacks bf16 convolutions: the inverse of
  /// `needsBFloat16Kernels`, for tests of how odimo refuses bf16 there.
  package static var lacksBFloat16Kernels: Self {
    .disabled(if: CPUFeatures.current.hasBFloat16Kernels, "this CPU has bf16 convolutions")
  }
}
