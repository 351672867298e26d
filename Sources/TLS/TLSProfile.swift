/// The protocol versions and algorithms a listener offers.
public enum TLSProfile: String, Sendable, Hashable, CaseIterable, Codable {
    /// TLS 1.3 and 1.2 only; ECDHE key exchange (X25519, P-256, P-384); AEAD ciphers only
    /// (AES-GCM, ChaCha20-Poly1305); no RSA key exchange, no finite-field DHE, no CBC, no SHA-1
    /// signatures, no compression; the server's cipher order wins.
    case hardened
    /// The hardened profile plus the Russian GOST suite for certified workstation crypto:
    /// TLS 1.2 `TLS_GOSTR341112_256_WITH_28147_CNT_IMIT` (RFC 9189) with VKO GOST R 34.10-2012
    /// key agreement and GOST R 34.10-2012 signatures. The server needs a GOST key pair too;
    /// ECDSA clients still get the hardened suites.
    case gost

    /// The GnuTLS priority string of the profile.
    public var priorityString: String {
        switch self {
        case .hardened: Self.hardenedPriority
        case .gost: Self.hardenedPriority + ":+VKO-GOST-12:+GOST28147-TC26Z-CNT:+GOST28147-TC26Z-IMIT"
                + ":+GROUP-GC256B:+GROUP-GC512A:+SIGN-GOSTR341012-256:+SIGN-GOSTR341012-512"
        }
    }

    /// Whether the listener needs a GOST R 34.10-2012 server key pair.
    public var needsGOSTKeyPair: Bool { self == .gost }

    static let hardenedPriority = [
        "NONE",
        "+VERS-TLS1.3", "+VERS-TLS1.2",
        "+AES-128-GCM", "+AES-256-GCM", "+CHACHA20-POLY1305", "+AEAD",
        "+ECDHE-ECDSA", "+ECDHE-RSA",
        "+GROUP-X25519", "+GROUP-SECP256R1", "+GROUP-SECP384R1",
        "+SIGN-ECDSA-SECP256R1-SHA256", "+SIGN-ECDSA-SECP384R1-SHA384", "+SIGN-ECDSA-SECP521R1-SHA512",
        "+SIGN-ECDSA-SHA256", "+SIGN-ECDSA-SHA384", "+SIGN-ECDSA-SHA512", "+SIGN-EdDSA-Ed25519",
        "+SIGN-RSA-PSS-RSAE-SHA256", "+SIGN-RSA-PSS-RSAE-SHA384", "+SIGN-RSA-PSS-RSAE-SHA512",
        "+SIGN-RSA-SHA256", "+SIGN-RSA-SHA384", "+SIGN-RSA-SHA512",
        "+CTYPE-X509", "+COMP-NULL",
        "%SERVER_PRECEDENCE",
    ].joined(separator: ":")
}
