/// Test helpers: hex strings as written in the standards, with spaces allowed.
enum Hex {
    static func bytes(_ text: String) -> [UInt8] {
        let digits = text.filter { !$0.isWhitespace }
        precondition(digits.count % 2 == 0, "odd number of hex digits")
        var result: [UInt8] = []
        result.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            result.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    static func string(_ bytes: [UInt8]) -> String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}

extension Array where Element == UInt8 {
    /// A copy with bit `bit` of byte `index` inverted.
    func flippingBit(atByte index: Int, bit: Int = 0) -> [UInt8] {
        var copy = self
        copy[index] ^= UInt8(1) << UInt8(bit)
        return copy
    }
}
