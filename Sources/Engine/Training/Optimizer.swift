import Foundation

/// Stochastic gradient descent with momentum (optionally Nesterov) and decoupled-from-BN
/// weight decay (applied to convolution and linear weights only), as PyTorch's SGD
/// with weight decay on those parameters.
public final class SGD: @unchecked Sendable {
  public var learningRate: Float
  public let momentum: Float
  public let nesterov: Bool
  public let weightDecay: Float
  /// Momentum buffers by parameter name (plain, like the parameters).
  public private(set) var velocity: [String: [Float]] = [:]
  let parameters: [Parameter]

  public init(
    parameters: [Parameter], learningRate: Float, momentum: Float = 0.9, nesterov: Bool = false, weightDecay: Float = 0
  ) {
    self.parameters = parameters
    self.learningRate = learningRate
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }

  /// Applies one update from the parameters' current gradients.
  public func step() {
    for parameter in parameters {
      let count = parameter.value.elementCount
      let value = parameter.value.buffer
      let gradient = parameter.gradient.buffer
      var buffer = velocity[parameter.name] ?? [Float](repeating: 0, count: count)
      let decay = parameter.decays ? weightDecay : 0
      buffer.withUnsafeMutableBufferPointer { v in
        for index in 0..<count {
          let g = gradient[index] + decay * value[index]
          v[index] = momentum * v[index] + g
          let direction = nesterov ? g + momentum * v[index] : v[index]
          value[index] -= learningRate * direction
        }
      }
      velocity[parameter.name] = buffer
    }
  }

  /// Restores momentum buffers (from a checkpoint).
  public func restore(velocity: [String: [Float]]) { self.velocity = velocity }
}

/// Learning-rate schedules over epochs.
public enum LearningRateSchedule: Sendable, Equatable {
  case constant
  /// Cosine from the base rate to 0 over `epochs`.
  case cosine(epochs: Int)
  /// Multiply by `factor` at each listed epoch.
  case multiStep(milestones: [Int], factor: Float)
  /// Multiply by `factor` every `every` epochs.
  case step(every: Int, factor: Float)
  /// Multiply by `factor` every epoch (the reference's temperature-like decay).
  case exponential(factor: Float)

  public func rate(base: Float, epoch: Int) -> Float {
    switch self {
    case .constant: base
    case .cosine(let epochs):
      base * Float(0.5 * (1 + Foundation.cos(Double.pi * Double(epoch) / Double(max(epochs, 1)))))
    case .multiStep(let milestones, let factor):
      base * Foundation.pow(factor, Float(milestones.filter { epoch >= $0 }.count))
    case .step(let every, let factor): base * Foundation.pow(factor, Float(epoch / max(every, 1)))
    case .exponential(let factor): base * Foundation.pow(factor, Float(epoch))
    }
  }
}
