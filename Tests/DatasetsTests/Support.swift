/// Big-endian bytes of a 32-bit value (IDX headers).
func bigEndian(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
