/// Comparisons whose running time does not depend on where two secrets differ.
public enum ConstantTime {
    /// True when `a` and `b` hold the same bytes.
    ///
    /// Every byte pair is XORed into one accumulator and the result is examined once, at the end:
    /// there is no early exit, so the time depends only on the lengths. Lengths are not treated
    /// as secret; inputs of different length return false at once.
    public static func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.withUnsafeBytes { left in
            b.withUnsafeBytes { right in
                equals(left, right)
            }
        }
    }

    /// True when the two buffers hold the same bytes; see ``equals(_:_:)-([UInt8],[UInt8])``.
    @inline(never)
    public static func equals(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<a.count {
            difference |= a[index] ^ b[index]
        }
        // Fold to one bit without a data-dependent branch before the single final comparison.
        return isZero(difference)
    }

    /// 1 when `value` is zero, computed without branching on `value`.
    @inline(__always)
    private static func isZero(_ value: UInt8) -> Bool {
        // (value - 1) has its top bit set only when value == 0 (as a 9-bit quantity).
        let wide = UInt32(value)
        return ((wide &- 1) >> 8) & 1 == 1
    }
}
