import CGnuTLS

/// Cryptographically secure random bytes from GnuTLS (`gnutls_rnd`).
///
/// GnuTLS seeds its generators from the kernel (`getrandom`) and reseeds them after `fork`.
/// Choose the ``Level`` by what the bytes protect: ``Level/key`` for long-term keys,
/// ``Level/random`` for nonces, salts, tokens and session keys.
public enum SecureRandom {
    /// The quality level GnuTLS should provide.
    public enum Level: Sendable, Hashable {
        /// `GNUTLS_RND_RANDOM`: unpredictable bytes for nonces, salts, tokens and short-lived keys.
        case random
        /// `GNUTLS_RND_KEY`: the strongest level, for long-term keys (data keys, KEKs, signing keys).
        case key

        var gnutlsLevel: gnutls_rnd_level_t {
            switch self {
            case .random: GNUTLS_RND_RANDOM
            case .key: GNUTLS_RND_KEY
            }
        }
    }

    /// Returns `count` random bytes.
    ///
    /// - Throws: ``CryptoError/Code/invalidOutputLength`` for a negative count,
    ///   ``CryptoError/Code/randomGenerationFailed`` when GnuTLS cannot produce bytes.
    public static func bytes(count: Int, level: Level = .random) throws(CryptoError) -> [UInt8] {
        guard count >= 0 else { throw CryptoError(.invalidOutputLength) }
        if count == 0 { return [] }
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            failure = gnutls_rnd(level.gnutlsLevel, buffer.baseAddress, count)
            if failure < 0 {
                // Never hand out (or leave behind) a partially filled buffer.
                gnutls_memset(buffer.baseAddress, 0, count)
            }
            initialized = count
        }
        try CryptoError.check(failure, .randomGenerationFailed)
        return bytes
    }

    /// Fills `buffer` with random bytes; for callers that keep secrets out of Swift arrays.
    ///
    /// - Throws: ``CryptoError/Code/randomGenerationFailed``; the buffer is zeroed in that case.
    public static func fill(_ buffer: UnsafeMutableRawBufferPointer, level: Level = .random) throws(CryptoError) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        let result = gnutls_rnd(level.gnutlsLevel, base, buffer.count)
        if result < 0 {
            gnutls_memset(base, 0, buffer.count)
        }
        try CryptoError.check(result, .randomGenerationFailed)
    }
}
