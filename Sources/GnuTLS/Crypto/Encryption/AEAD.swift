import CGnuTLS

/// Authenticated encryption with associated data (`gnutls_aead_cipher_*`).
///
/// ``open(_:using:authenticating:)`` either returns the whole plaintext or throws
/// ``CryptoError/Code/authenticationFailure``; it never returns or leaves behind partial
/// plaintext. Bind context (subject, field, key version) through the associated data so that a
/// ciphertext cannot be moved to another record.
///
/// With random 96-bit nonces, NIST SP 800-38D limits one AES-GCM key to about 2³² seals; rotate
/// keys well before that.
public enum AEAD {
    /// Encrypts and authenticates `plaintext`, and authenticates `associatedData` (which is not
    /// encrypted and not stored in the box).
    ///
    /// - Parameter nonce: leave nil for a fresh random nonce (the default and the safe choice).
    ///   A caller-supplied nonce must never repeat under the same key; it exists for known-answer
    ///   tests and for protocols that derive nonces.
    /// - Throws: ``CryptoError/Code/invalidKeySize``, ``CryptoError/Code/invalidNonceSize``,
    ///   ``CryptoError/Code/randomGenerationFailed``, ``CryptoError/Code/encryptionFailed``.
    public static func seal(
        _ plaintext: [UInt8],
        using key: SymmetricKey,
        nonce: [UInt8]? = nil,
        authenticating associatedData: [UInt8] = [],
        algorithm: AEADAlgorithm = .aes256GCM
    ) throws(CryptoError) -> SealedBox {
        guard key.byteCount == algorithm.keyByteCount else { throw CryptoError(.invalidKeySize) }
        let nonce = if let nonce { nonce } else { try SecureRandom.bytes(count: algorithm.nonceByteCount, level: .random) }
        guard nonce.count == algorithm.nonceByteCount else { throw CryptoError(.invalidNonceSize) }

        let handle = try makeHandle(key: key, algorithm: algorithm)
        defer { gnutls_aead_cipher_deinit(handle) }

        let nonceCount = algorithm.nonceByteCount
        let sealedCount = plaintext.count + algorithm.tagByteCount
        var result: Int32 = 0
        let combined = [UInt8](unsafeUninitializedCapacity: nonceCount + sealedCount) { output, initialized in
            let base = UnsafeMutableRawPointer(output.baseAddress!)
            nonce.withUnsafeBytes { base.copyMemory(from: $0.baseAddress!, byteCount: nonceCount) }
            var written = sealedCount
            result = withNonNullBytes(nonce) { nonceBase, nonceLength in
                withNonNullBytes(associatedData) { adBase, adLength in
                    withNonNullBytes(plaintext) { ptBase, ptLength in
                        gnutls_aead_cipher_encrypt(
                            handle, nonceBase, nonceLength, adBase, adLength, algorithm.tagByteCount,
                            ptBase, ptLength, base + nonceCount, &written)
                    }
                }
            }
            if result >= 0 && written != sealedCount {
                result = GNUTLS_E_INTERNAL_ERROR
            }
            if result < 0 {
                gnutls_memset(base, 0, nonceCount + sealedCount)
            }
            initialized = nonceCount + sealedCount
        }
        try CryptoError.check(result, .encryptionFailed)
        return SealedBox(uncheckedCombined: combined, algorithm: algorithm)
    }

    /// Verifies and decrypts `box` with `key` and the same associated data used to seal it.
    ///
    /// - Throws: ``CryptoError/Code/authenticationFailure`` when anything differs (key, nonce,
    ///   ciphertext, tag, associated data); ``CryptoError/Code/invalidKeySize`` when the key has the
    ///   wrong length for ``SealedBox/algorithm``.
    public static func open(
        _ box: SealedBox,
        using key: SymmetricKey,
        authenticating associatedData: [UInt8] = []
    ) throws(CryptoError) -> [UInt8] {
        let algorithm = box.algorithm
        guard key.byteCount == algorithm.keyByteCount else { throw CryptoError(.invalidKeySize) }
        let handle = try makeHandle(key: key, algorithm: algorithm)
        defer { gnutls_aead_cipher_deinit(handle) }

        let nonceCount = algorithm.nonceByteCount
        let plaintextCount = box.combined.count - nonceCount - algorithm.tagByteCount
        var result: Int32 = 0
        // Capacity of at least one byte so GnuTLS always gets a real output pointer.
        let plaintext = [UInt8](unsafeUninitializedCapacity: max(plaintextCount, 1)) { output, initialized in
            let outputBase = UnsafeMutableRawPointer(output.baseAddress!)
            var written = plaintextCount
            result = box.combined.withUnsafeBytes { combined in
                withNonNullBytes(associatedData) { adBase, adLength in
                    gnutls_aead_cipher_decrypt(
                        handle, combined.baseAddress!, nonceCount, adBase, adLength, algorithm.tagByteCount,
                        combined.baseAddress! + nonceCount, combined.count - nonceCount,
                        outputBase, &written)
                }
            }
            if result >= 0 && written != plaintextCount {
                result = GNUTLS_E_INTERNAL_ERROR
            }
            if result < 0 {
                // GCM decrypts before it checks the tag: wipe whatever was written.
                gnutls_memset(outputBase, 0, max(plaintextCount, 1))
                initialized = 0
            } else {
                initialized = plaintextCount
            }
        }
        try CryptoError.check(result, .authenticationFailure)
        return plaintext
    }

    private static func makeHandle(key: SymmetricKey, algorithm: AEADAlgorithm) throws(CryptoError) -> gnutls_aead_cipher_hd_t {
        var handle: gnutls_aead_cipher_hd_t?
        let result = key.withUnsafeBytes { keyBytes in
            withDatum(keyBytes) { keyDatum in
                gnutls_aead_cipher_init(&handle, algorithm.cipherAlgorithm, keyDatum)
            }
        }
        if result == GNUTLS_E_UNKNOWN_CIPHER_TYPE || result == GNUTLS_E_UNWANTED_ALGORITHM {
            throw CryptoError(.unsupportedAlgorithm, gnutlsErrorCode: result)
        }
        try CryptoError.check(result, .encryptionFailed)
        guard let handle else { throw CryptoError(.encryptionFailed) }
        return handle
    }
}
