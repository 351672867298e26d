/// The textual form shared by every bilet token: `<prefix>_<22 characters of base64url>`, the 22
/// characters being 16 random bytes (128 bits) without padding.
///
/// The format fits the audit log's token pattern (a lowercase prefix of 2–12 letters, `_`, then
/// 16–128 characters of `[A-Za-z0-9_-]`), so a token can be written into an audit record as is.
/// Nothing about a token is derived from personal data: the vault fills it from a cryptographic
/// random generator and hands the bytes to ``init(prefix:entropy:)``.
enum TokenEncoding {
    /// Bytes of randomness in every token.
    static let entropyByteCount = 16
    /// Characters of the encoded body.
    static let bodyLength = 22

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// `prefix_` followed by the base64url encoding (no padding) of exactly 16 bytes.
    static func encode(prefix: String, entropy: [UInt8]) -> String? {
        guard entropy.count == entropyByteCount else { return nil }
        var output: [UInt8] = Array(prefix.utf8) + [UInt8(ascii: "_")]
        output.reserveCapacity(output.count + bodyLength)
        var index = 0
        while index + 3 <= entropy.count {
            let chunk = UInt32(entropy[index]) << 16 | UInt32(entropy[index + 1]) << 8 | UInt32(entropy[index + 2])
            output.append(alphabet[Int(chunk >> 18 & 63)])
            output.append(alphabet[Int(chunk >> 12 & 63)])
            output.append(alphabet[Int(chunk >> 6 & 63)])
            output.append(alphabet[Int(chunk & 63)])
            index += 3
        }
        // 16 = 5 × 3 + 1: one byte remains, two characters.
        let last = UInt32(entropy[index]) << 16
        output.append(alphabet[Int(last >> 18 & 63)])
        output.append(alphabet[Int(last >> 12 & 63)])
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether `text` is `prefix_` followed by a well-formed 22-character body. The last
    /// character must carry no stray bits (it encodes 2 bits of data and 4 zero bits), so every
    /// token has exactly one spelling.
    static func isValid(_ text: String, prefix: String) -> Bool {
        let bytes = Array(text.utf8)
        let head = Array(prefix.utf8) + [UInt8(ascii: "_")]
        guard bytes.count == head.count + bodyLength, bytes.starts(with: head) else { return false }
        let body = bytes[head.count...]
        guard body.allSatisfy({ value(of: $0) != nil }) else { return false }
        guard let last = body.last, let lastValue = value(of: last) else { return false }
        return lastValue & 0x0F == 0
    }

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
