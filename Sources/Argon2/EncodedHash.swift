/// The PHC string form of an Argon2id hash, `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<tag>`
/// with salt and tag in unpadded standard base64.
///
/// This type only reads the header and the lengths, so that parameters can be validated
/// against ``Argon2id/Parameters/Limits`` before libargon2 is asked to allocate memory; the
/// actual decoding and comparison is libargon2's (`argon2id_verify`).
struct EncodedHash {
    let parameters: Argon2id.Parameters

    init(parsing encoded: String) throws(Argon2Error) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count >= 2, fields[0].isEmpty else { throw Argon2Error(.malformedEncoding) }
        guard fields[1] == "argon2id" else {
            // Another PHC/crypt(3) scheme ($argon2i$, $argon2d$, $2b$, $6$ …) is refused as
            // unsupported; anything else is not an encoded hash at all.
            let looksLikeScheme = !fields[1].isEmpty
                && fields[1].allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            throw Argon2Error(looksLikeScheme ? .unsupportedAlgorithm : .malformedEncoding)
        }
        // Without a version field the hash is Argon2 1.0 (v=16), which we do not produce or accept.
        guard fields.count == 6 else {
            if fields.count == 5, fields[2].hasPrefix("m=") { throw Argon2Error(.unsupportedAlgorithm) }
            throw Argon2Error(.malformedEncoding)
        }
        guard fields[2].hasPrefix("v=") else { throw Argon2Error(.malformedEncoding) }
        guard fields[2] == "v=19" else { throw Argon2Error(.unsupportedAlgorithm) }

        let costs = fields[3].split(separator: ",", omittingEmptySubsequences: false)
        guard costs.count == 3,
              let memory = Self.decimal(costs[0], key: "m="),
              let iterations = Self.decimal(costs[1], key: "t="),
              let lanes = Self.decimal(costs[2], key: "p=")
        else { throw Argon2Error(.malformedEncoding) }

        guard let saltLength = Self.base64DecodedLength(fields[4]),
              let hashLength = Self.base64DecodedLength(fields[5])
        else { throw Argon2Error(.malformedEncoding) }

        parameters = try Argon2id.Parameters(
            iterations: iterations, memoryKiB: memory, parallelism: lanes,
            saltLength: saltLength, hashLength: hashLength)
    }

    /// The value of `key=<digits>`, digits only, within UInt32.
    private static func decimal(_ field: Substring, key: String) -> UInt32? {
        guard field.hasPrefix(key) else { return nil }
        let digits = field.dropFirst(key.count)
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return nil
        }
        return UInt32(digits)
    }

    /// The number of bytes an unpadded standard-base64 string decodes to, or nil if it is not one.
    private static func base64DecodedLength(_ text: Substring) -> Int? {
        let count = text.utf8.count
        guard count > 0, count % 4 != 1 else { return nil }
        let valid = text.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
        }
        return valid ? count * 3 / 4 : nil
    }
}
