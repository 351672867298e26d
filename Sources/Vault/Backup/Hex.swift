/// Lower-case hexadecimal text for the byte strings a backup's header carries.
enum Hex {
    /// `bytes` as lower-case hex digits.
    static func encode(_ bytes: [UInt8]) -> String {
        BatchSQL.hex(bytes)
    }

    /// The bytes `text` spells, or nil unless it is an even number of hex digits.
    static func decode(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            let pair = digits[index..<index + 2]
            guard pair.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) || ($0 >= 65 && $0 <= 70) }),
                let high = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
            bytes.append(high)
            index += 2
        }
        return bytes
    }
}
