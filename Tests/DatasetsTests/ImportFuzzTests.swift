import Datasets
import Foundation
import TestSupport
import Testing

/// Seeded mutation fuzzing of the archives `odimo data import` reads: every mutant of a
/// small valid IDX set (MNIST layout) or CIFAR-10 set (binary batches, as a folder and as a
/// tar archive) must import or be refused with an error — never crash, hang or write a
/// dataset that fails its own checks. `ODIMO_FUZZ_CASES` sets the cases per format.
@Suite struct ImportFuzzTests {
  let scratch = ScratchFolder(inMemory: true)

  /// IDX files: 20 train and 10 test 28×28 images with labels 0…9.
  private func idxFiles() -> [String: [UInt8]] {
    func files(_ stem: String, count: Int) -> [(String, [UInt8])] {
      let header = { (values: [UInt32]) in values.flatMap { withUnsafeBytes(of: $0.bigEndian) { Array($0) } } }
      let pixels = (0..<(count * 784)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
      return [
        ("\(stem)-images-idx3-ubyte", header([0x803, UInt32(count), 28, 28]) + pixels),
        ("\(stem)-labels-idx1-ubyte", header([0x801, UInt32(count)]) + (0..<count).map { UInt8($0 % 10) }),
      ]
    }
    return Dictionary(uniqueKeysWithValues: files("train", count: 20) + files("t10k", count: 10))
  }

  /// CIFAR-10 binary batches: 4 records per training batch, 6 test records.
  private func cifarFiles() -> [String: [UInt8]] {
    func batch(_ count: Int, salt: Int) -> [UInt8] {
      (0..<count).flatMap { record in
        [UInt8(record % 10)] + (0..<3072).map { UInt8(truncatingIfNeeded: $0 &+ record &* 31 &+ salt) }
      }
    }
    var files = Dictionary(uniqueKeysWithValues: (1...5).map { ("data_batch_\($0).bin", batch(4, salt: $0)) })
    files["test_batch.bin"] = batch(6, salt: 9)
    files["batches.meta.txt"] = Array((0..<10).map { "class\($0)\n" }.joined().utf8)
    return files
  }

  /// A ustar archive of `files` under `folder/` (the layout of cifar-10-binary.tar.gz).
  private func tar(_ files: [String: [UInt8]], folder: String) -> [UInt8] {
    var archive: [UInt8] = []
    for (name, data) in files.sorted(by: { $0.key < $1.key }) {
      var header = [UInt8](repeating: 0, count: 512)
      func put(_ text: String, at offset: Int) { for (i, byte) in text.utf8.enumerated() { header[offset + i] = byte } }
      put(folder + "/" + name, at: 0)
      put("0000644", at: 100)
      put(String(data.count, radix: 8).leftPadded(to: 11), at: 124)
      put("00000000000", at: 136)
      header[156] = UInt8(ascii: "0")
      put("ustar", at: 257)
      for i in 148..<156 { header[i] = 32 }
      put(String(header.reduce(0) { $0 + Int($1) }, radix: 8).leftPadded(to: 6), at: 148)
      archive += header + data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }
    return archive + [UInt8](repeating: 0, count: 1024)
  }

  /// Imports every mutant; returns how many imported. Whatever imports must open and pass
  /// the checks training makes.
  private func fuzz(
    _ format: ImportFormat, files: [String: [UInt8]], seed: UInt64, archive: ((([String: [UInt8]]) -> [UInt8]))? = nil
  ) throws -> (imported: Int, refused: Int) {
    let names = files.keys.sorted()
    var mutator = Mutator(state: seed)
    var counts = (imported: 0, refused: 0)
    let output = scratch.file("fuzz-\(format.rawValue).h5")
    for index in 0..<Mutator.cases {
      var mutated = files
      let name = names[index % names.count]
      mutated[name] = mutator.mutate(files[name] ?? [])
      let source = scratch.file("fuzz-\(format.rawValue)-\(index % 2)")
      try? FileManager.default.removeItem(atPath: source)
      if let archive {
        try Data(archive(mutated)).write(to: URL(fileURLWithPath: source))
      } else {
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        for (file, bytes) in mutated { try Data(bytes).write(to: URL(fileURLWithPath: source + "/" + file)) }
      }
      do {
        try DatasetImporter.run(
          format, source: source, options: ImportOptions(output: output, force: true, validationFraction: 0.2))
        counts.imported += 1
        try DatasetFile(path: output).checkForTraining()
      } catch {
        counts.refused += 1
      }
    }
    return counts
  }

  @Test func idxArchivesNeverCrash() throws {
    let counts = try fuzz(.mnist, files: idxFiles(), seed: 0x1D3)
    #expect(counts.imported > 0 && counts.refused > 0, "\(counts)")
  }

  @Test func cifarFoldersAndArchivesNeverCrash() throws {
    let files = cifarFiles()
    let folders = try fuzz(.cifar10, files: files, seed: 0xC1FA)
    #expect(folders.imported > 0 && folders.refused > 0, "\(folders)")
    let archives = try fuzz(.cifar10, files: files, seed: 0xC1FB) { self.tar($0, folder: "cifar-10-batches-bin") }
    #expect(archives.imported > 0 && archives.refused > 0, "\(archives)")
  }
}

extension String {
  fileprivate func leftPadded(to width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}
