import Hardware
import Search

/// What the ODiMO paper (Risso, Burrello, Jahier Pagliari, IEEE TCAD 2025; DIANA: its
/// conference version) reports for an SoC and metric, so a report can say where its own
/// front stands against it. The paper quotes the searchable layers' latency and its own
/// hand-made mappings, data and training, so the report sets its searchable-layer gain
/// against it (latency) and says the comparison is not like for like.
struct PaperHeadline: Sendable {
  let soc: String
  let metric: CostMetric
  /// The paper's claim in words ("up to 8× lower latency at iso-accuracy").
  let claim: String

  static let known = [
    PaperHeadline(soc: "darkside", metric: .latency, claim: "up to 8× lower latency at iso-accuracy"),
    PaperHeadline(soc: "darkside", metric: .energy, claim: "up to 50.8× lower energy at under 0.3 points of accuracy"),
    PaperHeadline(soc: "diana", metric: .latency, claim: "31 % lower latency (1.45×) at −0.32 points"),
    PaperHeadline(soc: "diana", metric: .energy, claim: "33 % lower energy (1.49×) at −0.53 points"),
  ]

  /// The sentence's fixed start (the audit finds the line by it).
  static let opening = "Against the ODiMO paper"

  /// "Against the ODiMO paper (latency): it reports … on darkside; here …" for every metric
  /// the paper has a figure for on `soc` (none for other SoCs). The audit regenerates it.
  /// `twin` names the hand-made baseline whose mapping a searched point has: such points
  /// are left out here (their gain is a hand-made mapping's; the headline names them), so
  /// the figure set against the paper's is the search's own.
  static func lines(
    soc: String, metrics: [CostMetric], groups: [SeedGroup], epsilon: Double, twin: (String) -> String? = { _ in nil }
  ) -> [String] {
    let own = groups.filter { $0.kind == .baseline || twin($0.name) == nil }
    return metrics.compactMap { metric in
      guard let paper = known.first(where: { $0.soc == soc && $0.metric == metric }) else { return nil }
      let front = SeedGroup.front(own, metric, epsilon: epsilon)
      let here: String
      if let best = front.headline, let ratio = ratio(best, metric, own) {
        let scope = metric == .latency ? "on the searchable layers" : "for the whole network"
        let context = ReportWriter.gainContext(best, twin: nil)
        // A ratio at or below 1 is no gain: the searched mapping costs as much or more.
        if ratio > 1, Formatting.ratio(ratio) != "1.00" {
          here =
            "here the largest gain at iso-accuracy of a searched mapping no baseline has, against a standing baseline, "
            + "is \(Formatting.ratio(ratio))× \(scope) (\(context))"
        } else {
          let cost =
            Formatting.ratio(ratio) == "1.00"
            ? "the same \(metric.rawValue)" : "\(Formatting.ratio(1 / ratio))× higher \(metric.rawValue)"
          here =
            "here no searched mapping that no baseline has is cheaper than a standing baseline at its accuracy: "
            + "the closest has \(cost) \(scope) (\(context))"
        }
      } else {
        here = "here no searched mapping that no baseline has reaches a standing baseline's accuracy"
      }
      return "\(opening) (\(metric.rawValue)): it reports \(paper.claim) on \(soc), on the searchable layers against "
        + "its own hand-made mappings, data and training; \(here)."
    }
  }

  /// The searchable-layer latency ratio of `gain` (whole-network ratio for energy).
  private static func ratio(_ gain: IsoAccuracyGain, _ metric: CostMetric, _ groups: [SeedGroup]) -> Double? {
    guard metric == .latency else { return gain.ratio }
    guard let baseline = groups.first(where: { $0.name == gain.baseline && $0.kind == .baseline }),
      let searched = groups.first(where: { $0.name == gain.searched && $0.kind == .searched })
    else { return nil }
    return SeedGroup.searchableRatio(baseline, searched)
  }
}
