import CDNNL
import CJPEG
import CPNG
import CZlib
import HDF5
import Testing

/// Every native library the project binds to links and reports the version the set-up installs.
@Suite struct LinkTests {
  @Test func oneDNNIsVersion2() throws {
    let version = try #require(dnnl_version())
    #expect(version.pointee.major == 2)
  }

  @Test func libpngIs16() {
    #expect(png_access_version_number() / 100 == 106)
  }

  @Test func zlibInflatesWhatItDeflates() {
    let input = [UInt8](repeating: 65, count: 1000)
    var compressedSize = compressBound(UInt(input.count))
    var compressed = [UInt8](repeating: 0, count: Int(compressedSize))
    #expect(compress(&compressed, &compressedSize, input, UInt(input.count)) == Z_OK)
    var outputSize = UInt(input.count)
    var output = [UInt8](repeating: 0, count: input.count)
    #expect(uncompress(&output, &outputSize, compressed, compressedSize) == Z_OK)
    #expect(output == input)
  }

  @Test func turboJPEGInitialises() {
    let handle = tjInitDecompress()
    #expect(handle != nil)
    tjDestroy(handle)
  }

  @Test func hdf5Is110() {
    // Through the HDF5 module: HDF5 calls must all pass its lock (serial build).
    #expect(hdf5LibraryVersion.hasPrefix("1.10."))
  }
}
