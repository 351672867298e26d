import CGnuTLS

/// Keyed-hash message authentication codes (RFC 2104) over ``HashAlgorithm``
/// (`gnutls_hmac_fast`).
public enum HMAC {
    /// The authentication code of `message` under `key`, ``HashAlgorithm/byteCount`` bytes long.
    ///
    /// - Throws: ``CryptoError/Code/authenticationCodeFailed`` when GnuTLS refuses (for example a
    ///   GOST hash disabled by policy).
    public static func authenticationCode(
        for message: [UInt8],
        using key: SymmetricKey,
        algorithm: HashAlgorithm = .sha256
    ) throws(CryptoError) -> [UInt8] {
        try message.withBytes { (raw) throws(CryptoError) -> [UInt8] in
            try authenticationCode(for: raw, using: key, algorithm: algorithm)
        }
    }

    /// The authentication code of the bytes in `message` under `key`.
    public static func authenticationCode(
        for message: UnsafeRawBufferPointer,
        using key: SymmetricKey,
        algorithm: HashAlgorithm = .sha256
    ) throws(CryptoError) -> [UInt8] {
        let count = algorithm.byteCount
        var result: Int32 = 0
        let code = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            result = key.withUnsafeBytes { keyBytes in
                withNonNullBytes(keyBytes) { keyBase, keyCount in
                    withNonNullBytes(message) { messageBase, messageCount in
                        gnutls_hmac_fast(algorithm.macAlgorithm, keyBase, keyCount, messageBase, messageCount, output.baseAddress)
                    }
                }
            }
            initialized = count
        }
        try CryptoError.check(result, .authenticationCodeFailed)
        return code
    }

    /// True when `code` is the authentication code of `message` under `key`.
    ///
    /// The comparison is constant-time (``ConstantTime``). Only full-length codes are accepted:
    /// a truncated code returns false.
    ///
    /// - Throws: ``CryptoError/Code/authenticationCodeFailed`` when the code cannot be computed at
    ///   all; a mismatch is `false`, never an error.
    public static func isValidAuthenticationCode(
        _ code: [UInt8],
        for message: [UInt8],
        using key: SymmetricKey,
        algorithm: HashAlgorithm = .sha256
    ) throws(CryptoError) -> Bool {
        let expected = try authenticationCode(for: message, using: key, algorithm: algorithm)
        return ConstantTime.equals(expected, code)
    }
}
