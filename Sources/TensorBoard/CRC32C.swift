/// CRC-32C (Castagnoli), the checksum of TFRecord framing; zlib's CRC-32 is a different
/// polynomial, so this small table-driven one is ours.
enum CRC32C {
  private static let table: [UInt32] = (0..<256).map { index in
    var crc = UInt32(index)
    for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
    return crc
  }

  /// The CRC-32C of `bytes` ("123456789" → 0xE3069283).
  static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
  }

  /// TFRecord's masked form, which keeps a CRC of data holding CRCs well distributed.
  static func masked(_ bytes: some Sequence<UInt8>) -> UInt32 {
    let crc = checksum(bytes)
    return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
  }
}
