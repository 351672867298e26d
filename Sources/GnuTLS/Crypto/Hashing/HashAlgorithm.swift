import CGnuTLS

/// A hash function GnuTLS provides, used by ``Digest``, ``IncrementalHash``, ``HMAC`` and ``HKDF``.
public enum HashAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// SHA-256 (FIPS 180-4), 32-byte output.
    case sha256
    /// SHA-384 (FIPS 180-4), 48-byte output.
    case sha384
    /// SHA-512 (FIPS 180-4), 64-byte output.
    case sha512
    /// Streebog-256, GOST R 34.11-2012 (RFC 6986), 32-byte output.
    case streebog256
    /// Streebog-512, GOST R 34.11-2012 (RFC 6986), 64-byte output.
    case streebog512

    /// The length of a digest (and of an HMAC tag) in bytes.
    public var byteCount: Int {
        switch self {
        case .sha256, .streebog256: 32
        case .sha384: 48
        case .sha512, .streebog512: 64
        }
    }

    var digestAlgorithm: gnutls_digest_algorithm_t {
        switch self {
        case .sha256: GNUTLS_DIG_SHA256
        case .sha384: GNUTLS_DIG_SHA384
        case .sha512: GNUTLS_DIG_SHA512
        case .streebog256: GNUTLS_DIG_STREEBOG_256
        case .streebog512: GNUTLS_DIG_STREEBOG_512
        }
    }

    var macAlgorithm: gnutls_mac_algorithm_t {
        switch self {
        case .sha256: GNUTLS_MAC_SHA256
        case .sha384: GNUTLS_MAC_SHA384
        case .sha512: GNUTLS_MAC_SHA512
        case .streebog256: GNUTLS_MAC_STREEBOG_256
        case .streebog512: GNUTLS_MAC_STREEBOG_512
        }
    }
}
