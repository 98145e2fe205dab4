import Foundation
import HDF5
import Support

/// Memory order of a batch of images.
package enum TensorLayout: String, Sendable, CaseIterable {
  /// batch × channels × height × width
  case nchw
  /// batch × height × width × channels
  case nhwc
}

/// How the loader draws mini-batches.
package struct LoaderOptions: Sendable {
  package var batchSize: Int
  package var shuffle: Bool
  package var seed: UInt64
  /// Drop the last batch when it is smaller than `batchSize`.
  package var dropLast: Bool
  package var augmentation: Augmentation
  package var layout: TensorLayout
  /// Batches prepared ahead on a background thread.
  package var prefetch: Int
  /// A split up to this size (decoded) is read once and kept in memory; a larger one is
  /// streamed chunk by chunk, shuffled within windows of about this size.
  package var memoryBudgetBytes: Int
  /// Use only the first `limit` images of the split (quick runs, tests); nil: all.
  package var limit: Int?

  package init(
    batchSize: Int, shuffle: Bool = true, seed: UInt64 = 0, dropLast: Bool = false, augmentation: Augmentation = .none,
    layout: TensorLayout = .nchw, prefetch: Int = 4, memoryBudgetBytes: Int = 2 << 30, limit: Int? = nil
  ) {
    self.limit = limit
    self.batchSize = batchSize
    self.shuffle = shuffle
    self.seed = seed
    self.dropLast = dropLast
    self.augmentation = augmentation
    self.layout = layout
    self.prefetch = prefetch
    self.memoryBudgetBytes = memoryBudgetBytes
  }
}

/// One mini-batch: normalised Float32 images and their labels.
package struct Batch: Sendable {
  package let images: [Float]
  package let labels: [Int32]
  package let count: Int
  package let channels: Int
  package let height: Int
  package let width: Int
  package let layout: TensorLayout
}

/// Streams shuffled, augmented, normalised mini-batches of one split of a dataset file.
/// The same seed, epoch, data and options always give the same batches.
package final class BatchLoader: @unchecked Sendable {
  package let dataset: DatasetFile
  package let split: DatasetFile.Split
  package let options: LoaderOptions
  private let file: HDF5File
  private let images: HDF5Dataset
  private let labels: [Int64]
  private let chunkRows: Int
  /// The whole split's pixels when it fits the memory budget.
  private let resident: [UInt8]?
  private let writer: ImageWriter

  /// Opens `split` of the dataset at `path`.
  /// The loader every evaluation uses: `split` in file order, unaugmented, batches of at
  /// most 256. One definition matters: `odimo audit` confirms an accuracy only when its
  /// re-evaluation batches exactly as the run's own evaluation did.
  package static func evaluation(path: String, split name: String) throws -> BatchLoader {
    let count = try DatasetFile(path: path).split(name).count
    return try BatchLoader(path: path, split: name, options: LoaderOptions(batchSize: min(256, count), shuffle: false))
  }

  package init(path: String, split name: String, options: LoaderOptions) throws {
    guard options.batchSize > 0 else {
      throw DatasetError.invalidOption("batch size must be positive, got \(options.batchSize)")
    }
    dataset = try DatasetFile(path: path)
    let whole = try dataset.split(name)
    if let limit = options.limit {
      guard limit > 0 else { throw DatasetError.invalidOption("the image limit must be positive, got \(limit)") }
    }
    split = DatasetFile.Split(
      name: whole.name, count: min(whole.count, options.limit ?? whole.count), height: whole.height, width: whole.width,
      channels: whole.channels, hasCoarseLabels: whole.hasCoarseLabels)
    guard options.batchSize <= split.count else {
      throw DatasetError.invalidOption(
        "batch size \(options.batchSize) is larger than the \(split.count) images of \(path) split \(name)")
    }
    self.options = options
    file = try HDF5File.open(path)
    images = try file.dataset("\(name)/images")
    labels = Array(try file.read("\(name)/labels", as: Int64.self).prefix(split.count))
    let classes = Int64(dataset.numClasses)
    if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classes }) {
      throw DatasetError.badRecord(
        "\(path) \(name)/labels", record: bad, "label \(labels[bad]) is outside 0…\(classes - 1)")
    }
    chunkRows = images.chunkShape?.first ?? 1024
    let imageBytes = split.height * split.width * split.channels
    resident =
      split.count * imageBytes <= options.memoryBudgetBytes ? try images.readRows(0..<split.count, as: UInt8.self) : nil
    writer = ImageWriter(
      height: split.height, width: split.width, channels: split.channels, layout: options.layout, mean: dataset.mean,
      std: dataset.std, padding: options.augmentation.cropPadding)
  }

  /// Batches in one epoch.
  package var batchesPerEpoch: Int {
    options.dropLast ? split.count / options.batchSize : (split.count + options.batchSize - 1) / options.batchSize
  }

  /// The batches of `epoch`, prepared on a background thread.
  package func batches(epoch: Int) -> BatchStream {
    BatchStream(loader: self, epoch: epoch)
  }

  /// The image order of an epoch, as groups that are each read together: one group when
  /// the split is resident, else windows of whole chunks in a shuffled chunk order.
  func plan(epoch: Int, generator: inout SplitMix64) -> [[Int]] {
    let count = split.count
    if resident != nil || !options.shuffle {
      var order = Array(0..<count)
      if options.shuffle { order.shuffle(using: &generator) }
      return [order]
    }
    var chunks = Array(0..<((count + chunkRows - 1) / chunkRows))
    chunks.shuffle(using: &generator)
    let imageBytes = split.height * split.width * split.channels
    let window = max(1, options.memoryBudgetBytes / max(1, chunkRows * imageBytes))
    return stride(from: 0, to: chunks.count, by: window).map { start in
      var group = chunks[start..<min(chunks.count, start + window)].flatMap { chunk in
        Array((chunk * chunkRows)..<min(count, (chunk + 1) * chunkRows))
      }
      group.shuffle(using: &generator)
      return group
    }
  }

  /// Produces every batch of `epoch` in order, calling `deliver` for each; stops early
  /// when `deliver` returns false.
  func produce(epoch: Int, deliver: (Batch) -> Bool) throws {
    var generator = SplitMix64.stream(seed: options.seed, UInt64(epoch))
    let groups = plan(epoch: epoch, generator: &generator)
    let imageBytes = split.height * split.width * split.channels
    var pending: [(pixels: ArraySlice<UInt8>, label: Int64)] = []
    var produced = 0
    for group in groups {
      if let resident {
        for index in group {
          pending.append((resident[(index * imageBytes)..<((index + 1) * imageBytes)], labels[index]))
        }
      } else {
        // Read the group's chunks (whole-chunk reads take the fast decode path).
        let chunks = Set(group.map { $0 / chunkRows }).sorted()
        var pixelsByChunk: [Int: [UInt8]] = [:]
        for chunk in chunks {
          let rows = (chunk * chunkRows)..<min(split.count, (chunk + 1) * chunkRows)
          pixelsByChunk[chunk] = try images.readRows(rows, as: UInt8.self)
        }
        for index in group {
          let local = index % chunkRows
          guard let bytes = pixelsByChunk[index / chunkRows] else { continue }
          pending.append((bytes[(local * imageBytes)..<((local + 1) * imageBytes)], labels[index]))
        }
      }
      // Batches are taken from a moving cursor; the consumed prefix is dropped once per
      // group, not once per batch (which would move the whole group every time).
      var cursor = 0
      while pending.count - cursor >= options.batchSize {
        guard deliver(makeBatch(pending[cursor..<(cursor + options.batchSize)], generator: &generator)) else { return }
        cursor += options.batchSize
        produced += 1
      }
      pending.removeFirst(cursor)
    }
    if !pending.isEmpty && !options.dropLast {
      _ = deliver(makeBatch(pending[...], generator: &generator))
    }
  }

  private func makeBatch(_ items: ArraySlice<(pixels: ArraySlice<UInt8>, label: Int64)>, generator: inout SplitMix64)
    -> Batch
  {
    let imageElements = split.height * split.width * split.channels
    var output = [Float](repeating: 0, count: items.count * imageElements)
    let augmentation = options.augmentation
    output.withUnsafeMutableBufferPointer { buffer in
      for (position, item) in items.enumerated() {
        let draw =
          augmentation.isIdentity
          ? AugmentationDraw()
          : AugmentationDraw(augmentation, width: split.width, height: split.height, using: &generator)
        item.pixels.withUnsafeBufferPointer { source in
          let target = buffer.baseAddress! + position * imageElements
          if augmentation.usesAffine {
            writer.writeAffine(source.baseAddress!, draw: draw, to: target)
          } else {
            writer.write(source.baseAddress!, draw: draw, to: target)
          }
        }
      }
    }
    return Batch(
      images: output, labels: items.map { Int32($0.label) }, count: items.count, channels: split.channels,
      height: split.height, width: split.width, layout: options.layout)
  }
}

/// The batches of one epoch, produced ahead by a background thread into a bounded
/// queue so the consumer never waits on decoding and augmentation if it is slower.
package final class BatchStream: Sequence, IteratorProtocol, @unchecked Sendable {
  private let condition = NSCondition()
  private var queue: [Batch] = []
  private var finished = false
  private var cancelled = false
  private var failure: (any Error)?
  private let capacity: Int

  init(loader: BatchLoader, epoch: Int) {
    capacity = Swift.max(1, loader.options.prefetch)
    let thread = Thread { [self] in
      do {
        try loader.produce(epoch: epoch) { batch in
          condition.lock()
          defer { condition.unlock() }
          while queue.count >= capacity && !cancelled { condition.wait() }
          if cancelled { return false }
          queue.append(batch)
          condition.broadcast()
          return true
        }
      } catch {
        condition.lock()
        failure = error
        condition.unlock()
      }
      condition.lock()
      finished = true
      condition.broadcast()
      condition.unlock()
    }
    thread.name = "odimo-loader"
    thread.start()
  }

  deinit { cancel() }

  /// Stops the producer (batches not yet taken are dropped).
  package func cancel() {
    condition.lock()
    cancelled = true
    condition.broadcast()
    condition.unlock()
  }

  /// The next batch, or nil at the end of the epoch. A read failure ends the epoch and
  /// is reported by `error`.
  package func next() -> Batch? {
    condition.lock()
    defer { condition.unlock() }
    while queue.isEmpty && !finished { condition.wait() }
    guard !queue.isEmpty else { return nil }
    let batch = queue.removeFirst()
    condition.broadcast()
    return batch
  }

  /// The next batch, nil at the end of the epoch, or the error that ended it early.
  package func nextBatch() throws -> Batch? {
    if let batch = next() { return batch }
    if let failure = error { throw failure }
    return nil
  }

  /// The error that ended the epoch early, if any.
  package var error: (any Error)? {
    condition.lock()
    defer { condition.unlock() }
    return failure
  }
}
