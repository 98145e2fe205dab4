import HDF5
import TestSupport
import Testing

/// Files must be readable by h5py without odimo, and odimo must read what h5py writes.
@Suite struct InteropTests {
  let scratch = ScratchFolder()

  @Test func h5pyReadsWhatOdimoWrites() throws {
    let path = scratch.file("ours.h5")
    let file = try HDF5File.create(path)
    try file.write((0..<24).map { Float($0) / 4 }, to: "net/conv1/weight", shape: [2, 3, 4], options: .archived())
    try file.write((0..<6).map { UInt8($0 * 40) }, to: "images", shape: [2, 3], options: .archived(extendable: true))
    try file.write([Int64.min, 0, Int64.max], to: "labels")
    try file.write([Int32(-7)], to: "i32")
    try file.write([2.5, -1e300], to: "f64")
    try file.setAttribute("format", .string("odimo-test"))
    try file.setAttribute("class_names", .strings(["T-shirt/top", "Trouser", "Ankle boot"]))
    try file.setAttribute("version", .int(3))
    try file.setAttribute("mean", .doubles([0.25, 0.5]))
    try file.setAttribute("lr", .double(0.125), at: "net/conv1/weight")
    file.close()

    let report = try runPython(
      """
      import sys, h5py, numpy as np
      f = h5py.File(sys.argv[1], 'r')
      w = f['net/conv1/weight']
      assert w.dtype == np.float32 and w.shape == (2, 3, 4), (w.dtype, w.shape)
      assert np.array_equal(w[...], np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 4)
      assert w.compression == 'gzip' and w.shuffle and w.fletcher32
      im = f['images']
      assert im.dtype == np.uint8 and im.maxshape == (None, 3)
      assert list(im[...].ravel()) == [0, 40, 80, 120, 160, 200]
      assert f['labels'].dtype == np.int64 and list(f['labels'][...]) == [-2**63, 0, 2**63 - 1]
      assert f['i32'].dtype == np.int32 and f['i32'][0] == -7
      assert f['f64'].dtype == np.float64 and list(f['f64'][...]) == [2.5, -1e300]
      assert f.attrs['format'] == 'odimo-test' and isinstance(f.attrs['format'], str)
      assert list(f.attrs['class_names']) == ['T-shirt/top', 'Trouser', 'Ankle boot']
      assert all(isinstance(s, str) for s in f.attrs['class_names'])
      assert f.attrs['version'] == 3 and f.attrs['version'].dtype == np.int64
      assert list(f.attrs['mean']) == [0.25, 0.5] and f.attrs['mean'].dtype == np.float64
      assert w.attrs['lr'] == 0.125
      print('ok')
      """, arguments: [path])
    #expect(report.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
  }

  @Test func odimoReadsWhatH5pyWrites() throws {
    let path = scratch.file("theirs.h5")
    _ = try runPython(
      """
      import sys, h5py, numpy as np
      with h5py.File(sys.argv[1], 'w') as f:
          g = f.create_group('outer/inner')
          g.create_dataset('pixels', data=np.arange(60, dtype=np.uint8).reshape(3, 4, 5),
                           compression='gzip', compression_opts=6, chunks=(1, 4, 5))
          f.create_dataset('loss', data=np.array([0.5, 0.25], dtype=np.float32), maxshape=(None,))
          f.attrs['title'] = 'Fashion ✓'
          f.attrs['names'] = ['alpha', 'βeta']
          f.attrs['count'] = np.int32(12)
          f.attrs['ratio'] = np.float32(0.5)
          f.attrs['fixed'] = np.bytes_(b'fixed-width')
          g.attrs['shape'] = np.array([3, 4, 5], dtype=np.int16)
      """, arguments: [path])
    let file = try HDF5File.open(path)
    #expect(try file.children(of: "/") == ["loss", "outer"])
    let pixels = try file.dataset("outer/inner/pixels")
    #expect(pixels.shape == [3, 4, 5])
    #expect(pixels.chunkShape == [1, 4, 5])
    #expect(pixels.filters == ["gzip(6)"])
    #expect(try pixels.read(as: UInt8.self) == (0..<60).map { UInt8($0) })
    #expect(try pixels.readRows(1..<2, as: UInt8.self) == (20..<40).map { UInt8($0) })
    #expect(try file.read("loss", as: Float.self) == [0.5, 0.25])
    #expect(try file.attribute("title") == .string("Fashion ✓"))
    #expect(try file.attribute("names") == .strings(["alpha", "βeta"]))
    #expect(try file.attribute("count") == .int(12))
    #expect(try file.attribute("ratio") == .double(0.5))
    #expect(try file.attribute("fixed") == .string("fixed-width"))
    #expect(try file.attribute("shape", at: "outer/inner") == .ints([3, 4, 5]))
  }
}
