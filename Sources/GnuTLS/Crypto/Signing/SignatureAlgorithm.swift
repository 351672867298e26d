import CGnuTLS

/// A digital signature scheme supported by ``PrivateKey`` and ``PublicKey``.
public enum SignatureAlgorithm: String, Sendable, Hashable, CaseIterable {
    /// Ed25519 (RFC 8032), pure mode: the message is signed as is.
    case ed25519
    /// ECDSA over NIST P-256 with SHA-256; signatures are DER `ECDSA-Sig-Value` as GnuTLS produces them.
    case ecdsaP256
    /// GOST R 34.10-2012 with a 256-bit key (CryptoPro-A curve, as `certtool --key-type gost12-256`)
    /// and Streebog-256 (GOST R 34.11-2012) as the hash.
    case gost256

    var publicKeyAlgorithm: gnutls_pk_algorithm_t {
        switch self {
        case .ed25519: GNUTLS_PK_EDDSA_ED25519
        case .ecdsaP256: GNUTLS_PK_ECDSA
        case .gost256: GNUTLS_PK_GOST_12_256
        }
    }

    var signAlgorithm: gnutls_sign_algorithm_t {
        switch self {
        case .ed25519: GNUTLS_SIGN_EDDSA_ED25519
        case .ecdsaP256: GNUTLS_SIGN_ECDSA_SHA256
        case .gost256: GNUTLS_SIGN_GOST_256
        }
    }

    /// The curve a new key is generated on.
    var generationCurve: gnutls_ecc_curve_t {
        switch self {
        case .ed25519: GNUTLS_ECC_CURVE_ED25519
        case .ecdsaP256: GNUTLS_ECC_CURVE_SECP256R1
        case .gost256: GNUTLS_ECC_CURVE_GOST256CPA
        }
    }

    /// The `bits` argument of `gnutls_privkey_generate` that selects ``generationCurve``.
    /// `GNUTLS_CURVE_TO_BITS(curve)` is a C macro that does not import into Swift; this is its
    /// definition: `(1 << 31) | curve`.
    var generationBits: UInt32 {
        (UInt32(1) << 31) | UInt32(generationCurve.rawValue)
    }

    /// The algorithm of a public key, or nil when it is not one this type supports (RSA,
    /// GOST-2001, GOST-512, ECDSA on another curve, Ed448 …).
    init?(publicKey: gnutls_pubkey_t) {
        let pk = gnutls_pubkey_get_pk_algorithm(publicKey, nil)
        guard pk >= 0 else { return nil }
        switch gnutls_pk_algorithm_t(rawValue: UInt32(pk)) {
        case GNUTLS_PK_EDDSA_ED25519:
            self = .ed25519
        case GNUTLS_PK_ECDSA:
            var curve = GNUTLS_ECC_CURVE_INVALID
            guard gnutls_pubkey_export_ecc_raw2(publicKey, &curve, nil, nil, 0) >= 0,
                  curve == GNUTLS_ECC_CURVE_SECP256R1
            else { return nil }
            self = .ecdsaP256
        case GNUTLS_PK_GOST_12_256:
            self = .gost256
        default:
            return nil
        }
    }
}
