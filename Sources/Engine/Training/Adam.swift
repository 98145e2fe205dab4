import Foundation

/// Anything that updates parameters from their gradients.
package protocol Optimizer: AnyObject {
  /// The base learning rate (schedules set it every epoch).
  var learningRate: Float { get set }
  /// Applies one update from the parameters' current gradients.
  func step()
}

extension SGD: Optimizer {}

/// Adam (Kingma & Ba 2015); with `decoupled`, AdamW's decoupled weight decay
/// (Loshchilov & Hutter 2019), otherwise L2 decay added to the gradient as PyTorch's Adam.
/// The search trains its architecture parameters with it.
package final class Adam: Optimizer {
  package var learningRate: Float
  package let beta1: Float
  package let beta2: Float
  package let epsilon: Float
  package let weightDecay: Float
  package let decoupled: Bool
  package let groups: [ParameterGroup]
  package private(set) var steps = 0
  package private(set) var firstMoment: [String: [Float]] = [:]
  package private(set) var secondMoment: [String: [Float]] = [:]

  package convenience init(
    parameters: [Parameter], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    weightDecay: Float = 0, decoupled: Bool = false
  ) {
    self.init(
      groups: [ParameterGroup(parameters)], learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
      weightDecay: weightDecay, decoupled: decoupled)
  }

  package init(
    groups: [ParameterGroup], learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
    weightDecay: Float = 0, decoupled: Bool = false
  ) {
    self.groups = groups
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
    self.decoupled = decoupled
  }

  /// Restores the moments and step count (resuming a search).
  package func restore(steps: Int, firstMoment: [String: [Float]], secondMoment: [String: [Float]]) {
    self.steps = steps
    self.firstMoment = firstMoment
    self.secondMoment = secondMoment
  }

  package func step() {
    steps += 1
    let correction1 = 1 - Foundation.pow(beta1, Float(steps))
    let correction2 = 1 - Foundation.pow(beta2, Float(steps))
    for group in groups {
      let rate = learningRate * group.learningRateScale
      for parameter in group.parameters {
        let count = parameter.value.elementCount
        let value = parameter.value.buffer
        let gradient = parameter.gradient.buffer
        var m = firstMoment.removeValue(forKey: parameter.name) ?? [Float](repeating: 0, count: count)
        var v = secondMoment.removeValue(forKey: parameter.name) ?? [Float](repeating: 0, count: count)
        let decay = group.decay(for: parameter, default: weightDecay)
        for index in 0..<count {
          var g = gradient[index]
          if decoupled {
            value[index] -= rate * decay * value[index]
          } else {
            g += decay * value[index]
          }
          m[index] = beta1 * m[index] + (1 - beta1) * g
          v[index] = beta2 * v[index] + (1 - beta2) * g * g
          let mHat = m[index] / correction1
          let vHat = v[index] / correction2
          value[index] -= rate * mHat / (vHat.squareRoot() + epsilon)
        }
        firstMoment[parameter.name] = m
        secondMoment[parameter.name] = v
      }
    }
  }
}

/// Scales all gradients so their global L2 norm is at most `maxNorm`; returns the norm
/// before clipping (as PyTorch's clip_grad_norm_).
@discardableResult
package func clipGradients(_ parameters: [Parameter], maxNorm: Float) -> Float {
  var total: Double = 0
  for parameter in parameters {
    let gradient = parameter.gradient.buffer
    for index in 0..<parameter.gradient.elementCount { total += Double(gradient[index] * gradient[index]) }
  }
  let norm = Float(total.squareRoot())
  guard norm > maxNorm, norm > 0 else { return norm }
  let scale = maxNorm / (norm + 1e-6)
  for parameter in parameters {
    let gradient = parameter.gradient.buffer
    for index in 0..<parameter.gradient.elementCount { gradient[index] *= scale }
  }
  return norm
}
