/// Network-order (big-endian) integer helpers for PostgreSQL's binary formats.
enum BigEndianBytes {
    static func encode<I: FixedWidthInteger>(_ value: I) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// Reads an integer of exactly `I`'s width; `nil` when the length is wrong.
    static func decode<I: FixedWidthInteger>(_ type: I.Type, from bytes: [UInt8]) -> I? {
        guard bytes.count == MemoryLayout<I>.size else { return nil }
        var value: I = 0
        for byte in bytes {
            value = (value << 8) | I(truncatingIfNeeded: byte)
        }
        return value
    }
}
