import Datasets
import Engine
import Foundation
import Hardware
import Models
import Support
import TestSupport
import Testing

@testable import Search

/// The supernets, λ scale, presets and selection rules as the ODiMO reference builds them.
@Suite struct FaithfulODiMOTests {
  let scratch = ScratchFolder()

  /// DIANA's folded supernet of ResNet-20: no batch norm left, every convolution and the
  /// classifier mixed (22 searchable layers), a 7-bit PACT quantizer in place of every
  /// ReLU (so before every convolution fed by an activation and after every residual add).
  @Test func dianaSupernetFoldsQuantizesAndSearchesTheClassifier() throws {
    let model = try ModelZoo.make("resnet20", resolution: 32)
    let supernet = try Supernet(model: model, soc: .diana, foldBatchNorm: true)
    let layers = supernet.architecture.layers
    #expect(supernet.searchable.count == 22)
    #expect(supernet.searchable.last?.name == "classifier")
    #expect(!layers.contains { $0.operation == .batchNorm })
    #expect(supernet.foldedBatchNorms.count == 21)
    let quantizers = layers.filter { $0.operation == .activationQuantizer(bits: 7) }
    #expect(quantizers.count == model.layers.filter { $0.operation == .relu }.count)
    for add in layers where add.operation == .add {
      let consumers = layers.filter { $0.inputs.contains(add.name) }
      #expect(consumers.map(\.operation) == [.activationQuantizer(bits: 7)], "\(add.name)")
    }
    for conv in layers where conv.operation.isWeightLayer && conv.inputs != [Architecture.inputName] {
      let producer = layers.first { $0.name == conv.inputs[0] }
      #expect(
        producer?.operation == .activationQuantizer(bits: 7) || producer?.operation == .globalAveragePool,
        "\(conv.name) is fed by \(producer?.name ?? "?")")
    }
    let network = Network(supernet.architecture, seed: 0)
    #expect(network.mixedLayers.count == 22)
    #expect(try network.forward(Tensor(zeros: [2, 3, 32, 32]), training: false).dims == [2, 10])
  }

  /// The classifier's mixing logits get the task gradient finite differences give.
  @Test func classifierLogitGradientsMatchFiniteDifferences() throws {
    var b = ArchitectureBuilder(name: "tiny", input: FeatureShape(channels: 2, height: 6, width: 6), classes: 3)
    b.convBNReLU("a", Convolution(outChannels: 4, kernel: 3))
    b.add("gap", .globalAveragePool)
    b.add("flatten", .flatten)
    b.add("classifier", .linear(outFeatures: 3, bias: true))
    let supernet = try Supernet(model: b.build(), soc: .diana, foldBatchNorm: true)
    let network = Network(supernet.architecture, seed: 2)
    let classifier = try #require(network.mixedLayers.first { $0.name == "classifier" })
    classifier.temperature = 0.7
    for index in 0..<classifier.logits.value.elementCount {
      classifier.logits.value.buffer[index] = Float((index * 3) % 5) * 0.2 - 0.4
    }
    var generator = SplitMix64(seed: 4)
    let input = Tensor(
      dims: [3, 2, 6, 6], values: (0..<216).map { _ in Float(generator.next() % 2001) / 1000 - 1 })
    let labels: [Int32] = [0, 1, 2]
    func loss() throws -> Float {
      let logits = try network.forward(input, training: true).values()
      return CrossEntropy().evaluate(logits: logits, labels: labels, classes: 3).loss
    }
    let result = CrossEntropy().evaluate(
      logits: try network.forward(input, training: true).values(), labels: labels, classes: 3)
    try network.backward(Tensor(dims: [3, 3], values: result.gradient))
    let analytic = Array(classifier.logits.gradient.buffer.prefix(classifier.logits.gradient.elementCount))
    for index in 0..<classifier.logits.value.elementCount {
      let numeric = try centralDifference(classifier.logits.value.buffer, at: index, step: 1e-2) { Double(try loss()) }
      #expect(
        abs(numeric - Double(analytic[index])) <= 3e-2 * abs(numeric) + 1e-4,
        "α[\(index)]: \(numeric) vs \(analytic[index])")
    }
  }

  /// The half split is a prefix of half the channels, and every α_j — those of the
  /// second half included — receives gradient, so every channel can move both ways.
  @Test func halfSplitStartsInTheMiddleAndEveryChannelCanMove() {
    let split = ThermometricSplit(name: "b", channels: 8, firstCount: 4)
    #expect(split.mask == [1, 1, 1, 1, 0, 0, 0, 0])
    split.backward(maskGradient: [Float](repeating: -1, count: 8))
    #expect(split.logits.gradient.values().allSatisfy { $0 != 0 })
    // Pushing the second half's α up moves a channel onto the first operator.
    for index in 4..<8 { split.logits.value.buffer[index] += 0.1 }
    #expect(split.count == 5)
  }

  /// A cost that pushes every channel off the first operator empties it under Adam and
  /// stays there: with α kept ≥ 0 the pushed-down α sit at 0 instead of hovering at ±lr
  /// (with |α| they do, and 512 of them summed above 0.5 held 72 channels at λ = 10).
  @Test func aSteadyCostPushEmptiesTheFirstOperator() {
    let channels = 512
    let split = ThermometricSplit(name: "b", channels: channels, firstCount: channels / 2)
    let adam = Adam(parameters: [split.logits], learningRate: 0.01)
    var counts: [Int] = []
    for _ in 0..<300 {
      split.backward(maskGradient: [Float](repeating: 1, count: channels))
      adam.step()
      split.project()
      counts.append(split.count)
    }
    #expect(counts.suffix(50).allSatisfy { $0 == 0 })
    #expect(split.logits.value.values().allSatisfy { $0 >= 0 })
  }

  /// On the normalised scale the starting mapping costs exactly 1, on every SoC and init.
  @Test func normalisedCostIsOneAtTheStart() throws {
    let data = scratch.file("q.h5")
    try QuadrantData.write(data)
    for (soc, model, initial) in [
      ("darkside", "mobilenetv1", "half"), ("darkside", "mobilenetv1", "cluster"),
      ("diana", "resnet8", "half"),
    ] {
      let configuration = SearchConfiguration(
        soc: soc, model: model, width: 0.25, data: data, metric: .latency, lambda: 1, initialSplit: initial)
      let setup = try SearchSetup(configuration)
      #expect(abs(try setup.objective.applyCost() - 1) < 1e-9, "\(soc) \(initial)")
      var raw = configuration
      raw.lambdaScale = "raw"
      #expect(try SearchSetup(raw).costScale == 1)
    }
    let cluster = try SearchSetup(
      SearchConfiguration(
        soc: "darkside", model: "mobilenetv1", width: 0.25, data: data, metric: .latency, lambda: 1,
        initialSplit: "cluster"))
    let half = try SearchSetup(
      SearchConfiguration(soc: "darkside", model: "mobilenetv1", width: 0.25, data: data, metric: .latency, lambda: 1))
    #expect(cluster.costScale > half.costScale)
    let refused = try #require(throws: InvalidOption.self) {
      try SearchSetup(
        SearchConfiguration(
          soc: "darkside", model: "mobilenetv1", width: 0.25, data: data, metric: .latency, lambda: 1,
          initialSplit: "gpu"))
    }
    #expect(refused.option == "--init")
  }

  /// Filling puts the next λ in the widest log-cost gap, between its neighbours.
  @Test func autoLambdaFillsTheWidestGap() throws {
    let front: [(lambda: Double, cost: Double)] = [(0, 1000), (0.1, 900), (1, 100), (10, 80)]
    #expect(Sweep.nextLambda(front) == 0.316)
    // Next to λ = 0, a third of the upper neighbour.
    #expect(Sweep.nextLambda([(0, 1000), (0.3, 10), (3, 9)]) == 0.1)
    // Between 0.1 and 0.3: √0.03 = 0.1732… → 0.173, the double a person would type (it names
    // the run file), not 0.17300000000000001.
    let between = Sweep.nextLambda([(0.1, 121_055), (0.3, 91_850), (1, 88_269)])
    #expect(between.map { "\($0)" } == "0.173")
    // Nothing left to split: costs within 5 %, or λ values within 10 %.
    #expect(Sweep.nextLambda([(0, 100), (1, 99), (10, 98)]) == nil)
    #expect(Sweep.nextLambda([(1, 100), (1.05, 10)]) == nil)
    #expect(Sweep.nextLambda([(1, 100)]) == nil)
  }

  @Test func presetsComeFromTOMLFiles() throws {
    let preset = try SearchPreset.parse(
      """
      base = "standard"
      warmup_epochs = 3
      folded_learning_rate = 0.002
      fine_tune_from = "searched"
      """, file: "mine.toml")
    #expect(preset.name == "mine" && preset.warmupEpochs == 3 && preset.searchEpochs == 5 && preset.batchSize == 256)
    #expect(preset.foldedLearningRate == 0.002 && preset.fineTuneFrom == .searched)
    for (text, field) in [
      ("warmup_epoch = 3", "warmup_epoch"), ("batch_size = 0", "batch_size"),
      ("final_temperature = 2", "final_temperature"), ("base = \"huge\"", "huge"), ("batch_size = [", "line"),
    ] {
      let error = try #require(throws: SearchError.self) { try SearchPreset.parse(text, file: "bad.toml") }
      guard case .presetFile(let file, let message) = error else { throw error }
      #expect(file == "bad.toml" && message.contains(field), "\(message)")
    }
    for preset in SearchPreset.builtIn {
      try preset.validate()
      #expect(preset.finalTemperature <= 0.05, "\(preset.name)")
    }
    #expect(SearchPreset.standard.warmupEpochs == 5 && SearchPreset.standard.batchSize == 256)
  }

  @Test func noSelectionWithoutAValidationSplit() throws {
    let data = scratch.file("noval.h5")
    try QuadrantData.write(data, validation: 0)
    let configuration = SearchConfiguration(soc: "diana", model: "resnet8", data: data, metric: .latency, lambda: 0)
    let error = try #require(throws: DatasetError.self) { try SearchRun.run(configuration, out: scratch.file("r.h5")) }
    #expect(error == .noValidationSplit(data))
    let training = TrainingConfiguration(model: "resnet8", data: data, epochs: 1, batchSize: 16)
    #expect(throws: DatasetError.self) {
      try TrainingRun.run(training, checkpoint: scratch.file("c.h5"), resume: false)
    }
  }

  /// The search exports the mapping of its best validation epoch, annealed to the final
  /// temperature, and every epoch's validation accuracy is that of the discrete mapping.
  @Test func temperatureReachesTheFinalValueWithinTheSearch() throws {
    var preset = SearchRunTests.tiny
    preset.searchEpochs = 3
    preset.finalTemperature = 0.05
    let schedule = SearchSchedule(
      preset: preset, baseline: false, warmStarted: false, stepsPerEpoch: 10, lambda: 1, folded: false)
    let search = schedule.epochs.filter { $0.phase == .search }
    #expect(search.count == 3)
    #expect(schedule.temperature(search[0], step: 0) == 1)
    let end = schedule.temperature(search[2], step: 10)
    #expect(abs(end - 0.05) < 1e-12)
    #expect(schedule.epochs.map(\.dataEpoch) == [0, 1, 2, 3, 4])
  }
}
