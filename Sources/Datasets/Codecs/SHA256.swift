import CCrypto
import Foundation

/// SHA-256 digests through OpenSSL's libcrypto (hardware-accelerated where available).
package enum SHA256 {
  /// The hex digest of `bytes`.
  package static func hexDigest(ofBytes bytes: [UInt8]) throws -> String {
    var digest = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    guard EVP_Digest(bytes, bytes.count, &digest, &length, EVP_sha256(), nil) == 1 else {
      throw DatasetError.invalidOption("SHA-256 failed")
    }
    return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
  }

  /// The hex digest of the file at `path`, read in 1 MiB pieces.
  package static func hexDigest(ofFile path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw DatasetError.unreadable(path, "cannot open the file to hash it")
    }
    defer { try? handle.close() }
    guard let context = EVP_MD_CTX_new() else { throw DatasetError.unreadable(path, "cannot start SHA-256") }
    defer { EVP_MD_CTX_free(context) }
    EVP_DigestInit_ex(context, EVP_sha256(), nil)
    while true {
      let piece = handle.readData(ofLength: 1 << 20)
      if piece.isEmpty { break }
      piece.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, $0.count) }
    }
    var digest = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 0
    EVP_DigestFinal_ex(context, &digest, &length)
    return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
  }
}
