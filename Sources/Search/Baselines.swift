import Engine
import Foundation
import Hardware
import Models

extension MappingStrategy {
  /// The hand-made mappings a search on `soc` is compared with: every unit alone,
  /// per-layer latency-balanced, DIANA's min-latency-max-8-bit where units differ in
  /// precision, and MobileNetV1's depthwise-separable layout on alternative-operators SoCs.
  package static func baselines(for soc: SoC, model: Architecture) -> [MappingStrategy] {
    var list = soc.units.map { MappingStrategy.allOn(unit: $0.name) } + [.balanced]
    if soc.mappingStyle == .sharedWeights, Set(soc.units.map(\.weightFormat.bits)).count > 1 {
      list.append(.minLatencyMaxPrecision)
    }
    if soc.mappingStyle == .alternativeOperators, !model.replaceableBlocks.isEmpty { list.append(.depthwiseSeparable) }
    return list
  }
}
