import CDNNL
import Foundation
import Models
import Support
import Testing

@testable import Engine

/// 3×3 convolutions on maps under 4×4 run oneDNN's direct kernels (its Winograd one
/// computes whole 4×4 tiles there) and still compute the convolution: against a naive
/// loop within float32 rounding.
@Suite struct ConvolutionAlgorithmTests {
  @Test(arguments: [1, 2, 3])
  func smallMapsAreDirectAndCorrect(size: Int) throws {
    var generator = SplitMix64(seed: 7)
    let (batch, inChannels, outChannels) = (4, 32, 32)
    let kernel = ConvolutionKernel(
      name: "conv", spec: Convolution(outChannels: outChannels, kernel: 3), inChannels: inChannels,
      generator: &generator)
    let values = (0..<(batch * inChannels * size * size)).map { _ in Float(generator.nextUnit() * 2 - 1) }
    let output = try kernel.forward([Tensor(dims: [batch, inChannels, size, size], values: values)], training: false)
      .values()
    #expect(kernel.algorithm(output: [batch, outChannels, size, size]) == dnnl_convolution_direct)
    #expect(!kernel.forwardImplementation.contains("wino"), "\(kernel.forwardImplementation)")
    let weights = kernel.weight.value.values()
    var largest: Float = 0
    var worst: Float = 0
    for n in 0..<batch {
      for o in 0..<outChannels {
        for y in 0..<size {
          for x in 0..<size {
            var sum: Float = 0
            for c in 0..<inChannels {
              for ky in 0..<3 {
                for kx in 0..<3 {
                  let (iy, ix) = (y + ky - 1, x + kx - 1)
                  guard iy >= 0, iy < size, ix >= 0, ix < size else { continue }
                  sum +=
                    values[((n * inChannels + c) * size + iy) * size + ix]
                    * weights[((o * inChannels + c) * 3 + ky) * 3 + kx]
                }
              }
            }
            largest = max(largest, abs(sum))
            worst = max(worst, abs(sum - output[((n * outChannels + o) * size + y) * size + x]))
          }
        }
      }
    }
    #expect(largest > 0 && worst <= 1e-5 * largest, "largest difference \(worst) against \(largest)")
  }

  /// Their gradients are computed tap by tap on GEMM (oneDNN's direct backward kernels spend
  /// most of their time on the padding): weights, bias and input against the definition
  /// within float32 rounding, for stride 1 and 2.
  @Test(arguments: [(1, 1), (2, 1), (3, 1), (4, 2), (3, 2)])
  func smallMapGradientsMatchTheDefinition(size: Int, stride: Int) throws {
    var generator = SplitMix64(seed: 11)
    let (batch, inChannels, outChannels) = (3, 24, 40)
    let kernel = ConvolutionKernel(
      name: "conv", spec: Convolution(outChannels: outChannels, kernel: 3, stride: stride, bias: true),
      inChannels: inChannels, generator: &generator)
    let random = { (count: Int) in (0..<count).map { _ in Float(generator.nextUnit() * 2 - 1) } }
    let x = random(batch * inChannels * size * size)
    let output = try kernel.forward([Tensor(dims: [batch, inChannels, size, size], values: x)], training: true)
    #expect(kernel.backwardPath == .tapwise)
    let out = output.dims[2]
    let dy = random(batch * outChannels * out * out)
    let inputGradient = try kernel.backward(Tensor(dims: output.dims, values: dy))[0].values()
    let gradient = kernel.weight.gradient.values()
    var largest: Float = 0
    var worst: Float = 0
    for o in 0..<outChannels {
      for c in 0..<inChannels {
        for ky in 0..<3 {
          for kx in 0..<3 {
            var sum: Float = 0
            for n in 0..<batch {
              for y in 0..<out {
                for x0 in 0..<out {
                  let (iy, ix) = (y * stride + ky - 1, x0 * stride + kx - 1)
                  guard iy >= 0, iy < size, ix >= 0, ix < size else { continue }
                  sum +=
                    dy[((n * outChannels + o) * out + y) * out + x0]
                    * x[((n * inChannels + c) * size + iy) * size + ix]
                }
              }
            }
            largest = max(largest, abs(sum))
            worst = max(worst, abs(sum - gradient[((o * inChannels + c) * 3 + ky) * 3 + kx]))
          }
        }
      }
    }
    #expect(largest > 0 && worst <= 1e-5 * largest, "largest difference \(worst) against \(largest)")
    // dX[n, c, iy, ix] = Σ_(o, ky, kx) dY[n, o, oy, ox] · W[o, c, ky, kx] with iy = oy·s − 1 + ky.
    let weights = kernel.weight.value.values()
    var expected = [Float](repeating: 0, count: x.count)
    for n in 0..<batch {
      for o in 0..<outChannels {
        for y in 0..<out {
          for x0 in 0..<out {
            let g = dy[((n * outChannels + o) * out + y) * out + x0]
            for c in 0..<inChannels {
              for ky in 0..<3 {
                for kx in 0..<3 {
                  let (iy, ix) = (y * stride + ky - 1, x0 * stride + kx - 1)
                  guard iy >= 0, iy < size, ix >= 0, ix < size else { continue }
                  expected[((n * inChannels + c) * size + iy) * size + ix] +=
                    g * weights[((o * inChannels + c) * 3 + ky) * 3 + kx]
                }
              }
            }
          }
        }
      }
    }
    let largestInput = expected.map(abs).max() ?? 0
    let worstInput = zip(expected, inputGradient).map { abs($0 - $1) }.max() ?? .infinity
    #expect(
      largestInput > 0 && worstInput <= 1e-5 * largestInput, "input gradient: \(worstInput) against \(largestInput)")
    let biasGradient = try #require(kernel.bias).gradient.values()
    for o in 0..<outChannels {
      var sum: Float = 0
      for n in 0..<batch { for p in 0..<(out * out) { sum += dy[(n * outChannels + o) * out * out + p] } }
      #expect(abs(sum - biasGradient[o]) <= 1e-5 * max(1, abs(sum)))
    }
  }

  /// Maps of 4×4 and more keep oneDNN's own choice; 1×1 kernels have no Winograd form.
  @Test func largerMapsAndPointwiseKeepOneDNNsChoice() throws {
    var generator = SplitMix64(seed: 7)
    let threeByThree = ConvolutionKernel(
      name: "conv", spec: Convolution(outChannels: 8, kernel: 3), inChannels: 8, generator: &generator)
    #expect(threeByThree.algorithm(output: [2, 8, 4, 4]) == dnnl_convolution_auto)
    _ = try threeByThree.forward(
      [Tensor(dims: [2, 8, 4, 4], values: [Float](repeating: 1, count: 256))], training: true)
    #expect(threeByThree.backwardPath == .oneDNN)
    let pointwise = ConvolutionKernel(
      name: "pw", spec: Convolution(outChannels: 8, kernel: 1, padding: 0), inChannels: 8, generator: &generator)
    #expect(pointwise.algorithm(output: [2, 8, 1, 1]) == dnnl_convolution_auto)
  }
}
