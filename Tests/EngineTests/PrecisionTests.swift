import Foundation
import Models
import Support
import TestSupport
import Testing

@testable import Engine

/// bf16 convolutions against fp32 ones: exact where the operands are small integers (what
/// fake-quantized codes are), within bfloat16's rounding (8 significant bits) elsewhere.
@Suite struct PrecisionTests {
  struct Pass {
    var output: [Float]
    var inputGradient: [Float]
    var weightGradient: [Float]
  }

  /// One forward and backward pass of a 16 → 32 channel convolution (stride `stride`) with
  /// `size`×`size` input maps, input, weights and output gradient drawn by `value`.
  func pass(
    _ precision: Precision, stride: Int = 1, size: Int = 16, groups: Int = 1, value: (inout SplitMix64) -> Float
  ) throws -> Pass {
    var generator = SplitMix64(seed: 3)
    let (inChannels, outChannels) = (16, groups == 1 ? 32 : 16)
    let spec = Convolution(outChannels: outChannels, kernel: 3, stride: stride, groups: groups)
    var initial = SplitMix64(seed: 1)
    let kernel = ConvolutionKernel(
      name: "conv", spec: spec, inChannels: inChannels, precision: precision, generator: &initial)
    for index in 0..<kernel.weight.value.elementCount { kernel.weight.value.buffer[index] = value(&generator) }
    let input = Tensor(
      dims: [4, inChannels, size, size], values: (0..<(4 * inChannels * size * size)).map { _ in value(&generator) })
    let output = try kernel.forward([input], training: true)
    #expect(kernel.computedIn == kernel.operandPrecision(output: output.dims))
    let gradient = Tensor(dims: output.dims, values: (0..<output.elementCount).map { _ in value(&generator) })
    let inputGradient = try kernel.backward(gradient)[0]
    return Pass(
      output: output.values(), inputGradient: inputGradient.values(),
      weightGradient: Array(kernel.weight.gradient.buffer.prefix(kernel.weight.gradient.elementCount)))
  }

  /// Integers of at most 8 significant bits are bfloat16 values, and sums of their products
  /// stay below 2^24, so float32 accumulation is exact in any order: equal bit for bit.
  @Test(
    .needsBFloat16Kernels,
    arguments: [1, 2]) func smallIntegersGiveIdenticalResults(stride: Int) throws
  {
    let integer = { (generator: inout SplitMix64) in Float(Int(generator.next() % 17) - 8) }
    let fp32 = try pass(.fp32, stride: stride, size: 16 * stride, value: integer)
    let bf16 = try pass(.bf16, stride: stride, size: 16 * stride, value: integer)
    #expect(fp32.output == bf16.output)
    #expect(fp32.inputGradient == bf16.inputGradient)
    #expect(fp32.weightGradient == bf16.weightGradient)
  }

  /// Arbitrary floats are rounded to 8 significant bits (relative error ≤ 2^-9 each) before
  /// the float32 accumulation: every result within 1 % of the largest of its kind.
  @Test(.needsBFloat16Kernels)
  func arbitraryValuesAgreeWithinBFloat16Rounding() throws {
    let uniform = { (generator: inout SplitMix64) in Float(generator.nextUnit() * 2 - 1) }
    let fp32 = try pass(.fp32, value: uniform)
    let bf16 = try pass(.bf16, value: uniform)
    for (name, exact, rounded) in [
      ("output", fp32.output, bf16.output), ("input gradient", fp32.inputGradient, bf16.inputGradient),
      ("weight gradient", fp32.weightGradient, bf16.weightGradient),
    ] {
      let scale = exact.map(abs).max() ?? 0
      let worst = zip(exact, rounded).map { abs($0 - $1) }.max() ?? 0
      #expect(scale > 0 && worst <= 1e-2 * scale, "\(name): largest difference \(worst) against \(scale)")
      #expect(worst > 0, "\(name): bf16 rounding should show on arbitrary values")
    }
  }

  /// Output maps under 16×16 stay float32 (oneDNN's fp32 kernels are faster there); 16×16
  /// and up compute in bf16.
  @Test func smallMapsStayFloat32() throws {
    var generator = SplitMix64(seed: 1)
    let kernel = ConvolutionKernel(
      name: "conv", spec: Convolution(outChannels: 8, kernel: 3), inChannels: 8, precision: .bf16,
      generator: &generator)
    #expect(kernel.operandPrecision(output: [2, 8, 15, 15]) == .fp32)
    #expect(kernel.operandPrecision(output: [2, 8, 16, 16]) == .bf16)
    let uniform = { (generator: inout SplitMix64) in Float(generator.nextUnit() * 2 - 1) }
    #expect(try pass(.bf16, size: 8, value: uniform).output == pass(.fp32, size: 8, value: uniform).output)
  }

  /// Depthwise convolutions stay float32 whatever is asked (no faster bf16 kernel).
  @Test func depthwiseConvolutionsStayFloat32() throws {
    var generator = SplitMix64(seed: 1)
    let depthwise = ConvolutionKernel(
      name: "dw", spec: Convolution(outChannels: 16, kernel: 3, groups: 16), inChannels: 16, precision: .bf16,
      generator: &generator)
    #expect(depthwise.precision == .fp32)
    let uniform = { (generator: inout SplitMix64) in Float(generator.nextUnit() * 2 - 1) }
    #expect(try pass(.bf16, groups: 16, value: uniform).output == pass(.fp32, groups: 16, value: uniform).output)
  }

  /// A fake-quantized layer (int8, ternary, or both frozen per channel; folded-BN bias) on
  /// PACT levels: forward of `precision` and the gradients, for `size`×`size` maps.
  func quantizedPass(
    _ precision: Precision, formats: [WeightQuantization?], size: Int = 16, onGrid: Bool = true
  ) throws -> (kernel: ConvolutionKernel, pass: Pass) {
    var initial = SplitMix64(seed: 1)
    let spec = Convolution(outChannels: 32, kernel: 3, bias: true)
    let kernel = ConvolutionKernel(
      name: "conv", spec: spec, inChannels: 16, formats: formats, precision: precision, generator: &initial)
    var generator = SplitMix64(seed: 5)
    for index in 0..<kernel.bias!.value.elementCount { kernel.bias!.value.buffer[index] = Float(generator.nextUnit()) }
    kernel.mixer?.fitScales(to: kernel.weight.value.values())
    if formats.count > 1 { kernel.mixer?.fixedAssignment = (0..<32).map { $0 % formats.count } }
    // PACT's output for a clip of 3.7 at 7 bits: fl(k · step).
    let step = Float(3.7) / 127
    let count = 4 * 16 * size * size
    let input = Tensor(
      dims: [4, 16, size, size], values: (0..<count).map { _ in Float(generator.next() % 128) * step })
    input.grid = onGrid ? step : nil
    let output = try kernel.forward([input], training: true)
    let gradient = Tensor(
      dims: output.dims, values: (0..<output.elementCount).map { _ in Float(generator.nextUnit() * 2 - 1) })
    let inputGradient = try kernel.backward(gradient)[0]
    return (
      kernel,
      Pass(
        output: output.values(), inputGradient: inputGradient.values(),
        weightGradient: Array(kernel.weight.gradient.buffer.prefix(kernel.weight.gradient.elementCount)))
    )
  }

  /// On PACT levels with int8 / ternary weights bf16 computes the same sums as fp32: every
  /// operand is exact and the scales are applied in float32 afterwards, so the outputs
  /// differ only by float32 rounding (≤ 1e-5 of the largest). The gradients read the
  /// output gradient rounded to bf16: within 1 % of the largest.
  @Test(
    .needsBFloat16Kernels,
    arguments: [[WeightQuantization.int8PowerOfTwo], [.ternary], [.int8PowerOfTwo, .ternary]])
  func quantizedLayersOnLevelsMatchFloat32(formats: [WeightQuantization]) throws {
    let fp32 = try quantizedPass(.fp32, formats: formats).pass
    let (kernel, bf16) = try quantizedPass(.bf16, formats: formats)
    #expect(kernel.computedIn == .bf16)
    for (name, exact, rounded, tolerance) in [
      ("output", fp32.output, bf16.output, Float(1e-5)),
      ("input gradient", fp32.inputGradient, bf16.inputGradient, 1e-2),
      ("weight gradient", fp32.weightGradient, bf16.weightGradient, 1e-2),
    ] {
      let scale = exact.map(abs).max() ?? 0
      let worst = zip(exact, rounded).map { abs($0 - $1) }.max() ?? 0
      #expect(scale > 0 && worst <= tolerance * scale, "\(name): largest difference \(worst) against \(scale)")
    }
  }

  /// A quantized layer fed off any grid (the stem on images) stays fp32; a float layer
  /// computes in bf16 either way.
  @Test func quantizedLayersOffTheGridStayFloat32() throws {
    let (offGrid, _) = try quantizedPass(.bf16, formats: [.ternary], onGrid: false)
    #expect(offGrid.computedIn == .fp32)
    var generator = SplitMix64(seed: 1)
    let float = ConvolutionKernel(
      name: "conv", spec: Convolution(outChannels: 8, kernel: 3), inChannels: 8, precision: .bf16,
      generator: &generator)
    #expect(float.operandPrecision(output: [2, 8, 16, 16], inputOnGrid: false) == .bf16)
  }

  @Test func autoFollowsTheCPUFlags() {
    let amx = CPUFeatures(cpuinfo: "processor : 0\nflags\t\t: fpu avx512f amx_bf16 amx_tile\nbugs : x\n")
    let avx512bf16 = CPUFeatures(cpuinfo: "flags : fpu avx512f avx512_bf16\n")
    let plain = CPUFeatures(cpuinfo: "flags : fpu avx2 avx512f\n")
    #expect(amx.hasNativeBFloat16 && avx512bf16.hasNativeBFloat16 && !plain.hasNativeBFloat16)
    #expect(!CPUFeatures(cpuinfo: "").hasNativeBFloat16)
    let avx512 = CPUFeatures(cpuinfo: "flags : fpu avx2 avx512f avx512dq avx512bw avx512vl\n")
    let avx2 = CPUFeatures(cpuinfo: "flags : fpu avx avx2 fma f16c\n")
    #expect(
      avx512.hasBFloat16Kernels && amx.hasBFloat16Kernels && !avx2.hasBFloat16Kernels && !plain.hasBFloat16Kernels)
    #expect(Precision(choice: "auto") == Precision.automatic)
    #expect(Precision(choice: "bf16") == .bf16 && Precision(choice: "fp32") == .fp32)
    #expect(Precision(choice: "fp16") == nil)
  }
}
