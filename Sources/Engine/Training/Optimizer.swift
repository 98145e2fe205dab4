import Foundation

/// Parameters that share optimizer settings: their own learning-rate scale and, when
/// set, their own weight decay (applied to every parameter of the group).
package struct ParameterGroup {
  package var parameters: [Parameter]
  /// Multiplies the optimizer's (scheduled) learning rate.
  package var learningRateScale: Float
  /// Overrides the optimizer's weight decay for this group; nil keeps it (applied to
  /// convolution and linear weights only).
  package var weightDecay: Float?

  package init(_ parameters: [Parameter], learningRateScale: Float = 1, weightDecay: Float? = nil) {
    self.parameters = parameters
    self.learningRateScale = learningRateScale
    self.weightDecay = weightDecay
  }

  func decay(for parameter: Parameter, default value: Float) -> Float {
    weightDecay ?? (parameter.decays ? value : 0)
  }
}

/// Stochastic gradient descent with momentum (optionally Nesterov) and weight decay
/// (by default on convolution and linear weights only), as PyTorch's SGD.
package final class SGD {
  package var learningRate: Float
  package let momentum: Float
  package let nesterov: Bool
  package let weightDecay: Float
  /// Momentum buffers by parameter name (plain, like the parameters).
  package private(set) var velocity: [String: [Float]] = [:]
  package let groups: [ParameterGroup]
  var parameters: [Parameter] { groups.flatMap(\.parameters) }

  package convenience init(
    parameters: [Parameter], learningRate: Float, momentum: Float = 0.9, nesterov: Bool = false, weightDecay: Float = 0
  ) {
    self.init(
      groups: [ParameterGroup(parameters)], learningRate: learningRate, momentum: momentum, nesterov: nesterov,
      weightDecay: weightDecay)
  }

  package init(
    groups: [ParameterGroup], learningRate: Float, momentum: Float = 0.9, nesterov: Bool = false, weightDecay: Float = 0
  ) {
    self.groups = groups
    self.learningRate = learningRate
    self.momentum = momentum
    self.nesterov = nesterov
    self.weightDecay = weightDecay
  }

  /// Applies one update from the parameters' current gradients.
  package func step() {
    for group in groups {
      let rate = learningRate * group.learningRateScale
      for parameter in group.parameters {
        let count = parameter.value.elementCount
        let value = parameter.value.buffer
        let gradient = parameter.gradient.buffer
        var buffer = velocity.removeValue(forKey: parameter.name) ?? [Float](repeating: 0, count: count)
        let decay = group.decay(for: parameter, default: weightDecay)
        buffer.withUnsafeMutableBufferPointer { v in
          for index in 0..<count {
            let g = gradient[index] + decay * value[index]
            v[index] = momentum * v[index] + g
            let direction = nesterov ? g + momentum * v[index] : v[index]
            value[index] -= rate * direction
          }
        }
        velocity[parameter.name] = buffer
      }
    }
  }

  /// Restores momentum buffers (from a checkpoint).
  package func restore(velocity: [String: [Float]]) { self.velocity = velocity }
}

/// Learning-rate schedules over epochs.
package enum LearningRateSchedule: Sendable, Equatable {
  case constant
  /// Cosine from the base rate to 0 over `epochs`.
  case cosine(epochs: Int)
  /// Multiply by `factor` at each listed epoch.
  case multiStep(milestones: [Int], factor: Float)
  /// Multiply by `factor` every `every` epochs.
  case step(every: Int, factor: Float)
  /// Multiply by `factor` every epoch (the reference's temperature-like decay).
  case exponential(factor: Float)

  package func rate(base: Float, epoch: Int) -> Float {
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
