import CGnuTLS

/// HMAC-based key derivation, RFC 5869 (`gnutls_hkdf_extract` / `gnutls_hkdf_expand`).
///
/// Derived keys are written straight into ``SymmetricKey`` storage and never pass through a
/// Swift array. Use distinct `info` strings for distinct purposes (blind index, token, KEK
/// wrapping …) so that no two purposes share a key.
public enum HKDF {
    /// HKDF-Extract: a pseudorandom key of ``HashAlgorithm/byteCount`` bytes from input keying
    /// material and a salt. An empty salt means a string of zeros of hash length (RFC 5869 §2.2).
    ///
    /// - Throws: ``CryptoError/Code/keyDerivationFailed``.
    public static func extract(
        inputKeyMaterial: SymmetricKey,
        salt: [UInt8],
        algorithm: HashAlgorithm = .sha256
    ) throws(CryptoError) -> SymmetricKey {
        try SymmetricKey(byteCount: algorithm.byteCount) { (output) throws(CryptoError) in
            let result = inputKeyMaterial.withUnsafeBytes { ikm in
                withDatum(ikm) { ikmDatum in
                    withDatum(salt) { saltDatum in
                        gnutls_hkdf_extract(algorithm.macAlgorithm, ikmDatum, saltDatum, output.baseAddress)
                    }
                }
            }
            try CryptoError.check(result, .keyDerivationFailed)
        }
    }

    /// HKDF-Expand: `outputByteCount` bytes of output keying material from a pseudorandom key.
    ///
    /// - Throws: ``CryptoError/Code/invalidOutputLength`` unless
    ///   `1 ... 255 × hash length`; ``CryptoError/Code/invalidKeySize`` when the pseudorandom key is
    ///   shorter than the hash length (RFC 5869 §2.3); ``CryptoError/Code/keyDerivationFailed``.
    public static func expand(
        pseudoRandomKey: SymmetricKey,
        info: [UInt8],
        outputByteCount: Int,
        algorithm: HashAlgorithm = .sha256
    ) throws(CryptoError) -> SymmetricKey {
        guard outputByteCount > 0, outputByteCount <= 255 * algorithm.byteCount else {
            throw CryptoError(.invalidOutputLength)
        }
        guard pseudoRandomKey.byteCount >= algorithm.byteCount else {
            throw CryptoError(.invalidKeySize)
        }
        return try SymmetricKey(byteCount: outputByteCount) { (output) throws(CryptoError) in
            let result = pseudoRandomKey.withUnsafeBytes { prk in
                withDatum(prk) { prkDatum in
                    withDatum(info) { infoDatum in
                        gnutls_hkdf_expand(algorithm.macAlgorithm, prkDatum, infoDatum, output.baseAddress, outputByteCount)
                    }
                }
            }
            try CryptoError.check(result, .keyDerivationFailed)
        }
    }

    /// Extract then expand: a key of `outputByteCount` bytes for the purpose named by `info`.
    ///
    /// - Throws: as ``extract(inputKeyMaterial:salt:algorithm:)`` and
    ///   ``expand(pseudoRandomKey:info:outputByteCount:algorithm:)``.
    public static func deriveKey(
        inputKeyMaterial: SymmetricKey,
        salt: [UInt8] = [],
        info: [UInt8],
        outputByteCount: Int,
        algorithm: HashAlgorithm = .sha256
    ) throws(CryptoError) -> SymmetricKey {
        let pseudoRandomKey = try extract(inputKeyMaterial: inputKeyMaterial, salt: salt, algorithm: algorithm)
        return try expand(
            pseudoRandomKey: pseudoRandomKey, info: info, outputByteCount: outputByteCount, algorithm: algorithm)
    }
}
