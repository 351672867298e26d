import CGnuTLS

/// An authenticated encryption algorithm with associated data.
///
/// Every AEAD call names its algorithm so that GOST (Kuznyechik MGM) can join without changing
/// callers; the sizes below are what ``SealedBox`` encodings depend on.
public enum AEADAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// AES-256 in Galois/Counter Mode (NIST SP 800-38D): 32-byte key, 12-byte nonce, 16-byte tag.
    case aes256GCM

    /// The key length in bytes.
    public var keyByteCount: Int {
        switch self {
        case .aes256GCM: 32
        }
    }

    /// The nonce length in bytes.
    public var nonceByteCount: Int {
        switch self {
        case .aes256GCM: 12
        }
    }

    /// The authentication tag length in bytes.
    public var tagByteCount: Int {
        switch self {
        case .aes256GCM: 16
        }
    }

    var cipherAlgorithm: gnutls_cipher_algorithm_t {
        switch self {
        case .aes256GCM: GNUTLS_CIPHER_AES_256_GCM
        }
    }
}
