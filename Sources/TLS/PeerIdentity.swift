public import GnuTLS
public import Identity

/// What a completed handshake established about the peer: its verified principal (none on
/// listeners that do not ask for certificates, or when an optional certificate was not sent) and
/// the negotiated TLS parameters.
public struct PeerIdentity: Sendable, Hashable {
    /// The verified principal, if the client presented a certificate.
    public let principal: Principal?
    /// Protocol version, cipher suite, resumption, ALPN.
    public let tls: TLSNegotiatedParameters
    /// The (issuer, serial) of the verified client certificate (the leaf), when there is one:
    /// which certificate the principal authenticated with, e.g. the one a renewal renews.
    public let clientCertificate: RevocationKey?
    /// When the verified client chain expires (its earliest notAfter, seconds since 1970, UTC);
    /// `nil` without a client certificate. The connection is closed then; sessions bound to the
    /// certificate stop resolving.
    public let clientCertificateNotAfter: Int?

    /// Makes an identity.
    public init(
        principal: Principal?, tls: TLSNegotiatedParameters, clientCertificate: RevocationKey? = nil, clientCertificateNotAfter: Int? = nil
    ) {
        self.principal = principal
        self.tls = tls
        self.clientCertificate = clientCertificate
        self.clientCertificateNotAfter = clientCertificateNotAfter
    }
}

/// Fired down the pipeline (as a user inbound event) once the handshake completed and the client
/// was accepted.
public struct TLSHandshakeCompletedEvent: Sendable, Hashable {
    /// The peer.
    public let peer: PeerIdentity
}

/// Asks a connection's TLS handler to end the connection because its client certificate was
/// revoked: it sends a `certificate_revoked` alert and closes.
public struct TLSCertificateRevokedEvent: Sendable, Hashable {
    /// Makes the event.
    public init() {}
}
