import CGnuTLS

/// A refusal or failure of a cryptographic operation.
///
/// Match on ``code``: its raw values are stable strings (`crypto.authentication_failure`, …)
/// that logs, metrics and problem documents may carry. When GnuTLS reported the failure,
/// ``gnutlsErrorCode`` holds its negative error code and ``gnutlsErrorName`` the symbolic name
/// (`GNUTLS_E_DECRYPTION_FAILED`); neither carries key bytes, plaintext or any other data, and
/// neither does ``description``.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as a value a caller can match on. Raw values never change.
    public enum Code: String, Hashable, Sendable, CaseIterable {
        /// The GnuTLS library is too old or failed to initialise (see ``GnuTLSLibrary``).
        case libraryUnavailable = "crypto.library_unavailable"
        /// The system random generator could not produce bytes.
        case randomGenerationFailed = "crypto.random_generation_failed"
        /// The algorithm is not available in this GnuTLS build or policy (for example GOST under FIPS).
        case unsupportedAlgorithm = "crypto.unsupported_algorithm"
        /// A key has the wrong length for the algorithm.
        case invalidKeySize = "crypto.invalid_key_size"
        /// A nonce has the wrong length for the AEAD algorithm.
        case invalidNonceSize = "crypto.invalid_nonce_size"
        /// A requested output length is out of range (for example HKDF beyond 255 × hash length).
        case invalidOutputLength = "crypto.invalid_output_length"
        /// Hashing failed inside GnuTLS.
        case hashFailed = "crypto.hash_failed"
        /// Computing a message authentication code failed inside GnuTLS.
        case authenticationCodeFailed = "crypto.authentication_code_failed"
        /// HKDF extract or expand failed inside GnuTLS.
        case keyDerivationFailed = "crypto.key_derivation_failed"
        /// AEAD encryption failed inside GnuTLS.
        case encryptionFailed = "crypto.encryption_failed"
        /// AEAD opening refused the box: wrong key, nonce, associated data, or tampered bytes.
        case authenticationFailure = "crypto.authentication_failure"
        /// Sealed-box bytes are too short or otherwise not a box of the stated algorithm.
        case malformedSealedBox = "crypto.malformed_sealed_box"
        /// Generating a key pair failed.
        case keyGenerationFailed = "crypto.key_generation_failed"
        /// Producing a signature failed.
        case signingFailed = "crypto.signing_failed"
        /// Key bytes are not a valid PKCS#8 private key or SubjectPublicKeyInfo.
        case malformedKey = "crypto.malformed_key"
        /// An encrypted private key did not decrypt with the given passphrase, or a passphrase was
        /// missing for an encrypted key.
        case wrongPassphrase = "crypto.wrong_passphrase"
        /// Encoding a key for export failed.
        case keyExportFailed = "crypto.key_export_failed"
    }

    /// The stable reason.
    public let code: Code
    /// The negative GnuTLS error code, when GnuTLS reported the failure; nil when this wrapper
    /// refused the input itself.
    public let gnutlsErrorCode: Int32?

    /// Creates an error. `gnutlsErrorCode` is the value a GnuTLS call returned, if any.
    public init(_ code: Code, gnutlsErrorCode: Int32? = nil) {
        self.code = code
        self.gnutlsErrorCode = gnutlsErrorCode
    }

    /// The symbolic GnuTLS name of ``gnutlsErrorCode`` (`GNUTLS_E_…`), a constant string.
    public var gnutlsErrorName: String? {
        guard let gnutlsErrorCode, let name = gnutls_strerror_name(gnutlsErrorCode) else { return nil }
        return String(cString: name)
    }

    public var description: String {
        if let gnutlsErrorName {
            return "\(code.rawValue) (\(gnutlsErrorName))"
        }
        if let gnutlsErrorCode {
            return "\(code.rawValue) (GnuTLS error \(gnutlsErrorCode))"
        }
        return code.rawValue
    }
}

extension CryptoError {
    /// Throws `code` when a GnuTLS call returned a negative value.
    @inline(__always)
    static func check(_ result: Int32, _ code: Code) throws(CryptoError) {
        if result < 0 {
            throw CryptoError(code, gnutlsErrorCode: result)
        }
    }
}
