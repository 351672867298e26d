/// The TLS gateway of `bilet serve`: its listeners and the TLS material files they share.
///
/// `listeners` empty means: no gateway in this process. When it is not empty, the loader has
/// already checked that the server key pair, the client CA bundle and the CRL are named, and
/// that a GOST listener has the GOST key pair.
public struct GatewaySettings: Hashable, Sendable {
    /// The listeners, in the order written.
    public var listeners: [ListenerSetting]
    /// The admin listener (`/metrics`, `/readyz`, `/healthz`), always requiring a client certificate;
    /// only the monitoring certificate (`bilet://service/monitoring`) is served there. `nil`: none.
    public var adminListener: ListenerSetting?
    /// The ECDSA (or RSA) server certificate chain, PEM, leaf first.
    public var certificate: String?
    /// The private key of ``certificate``.
    public var privateKey: String?
    /// The GOST R 34.10-2012 server certificate chain, for GOST listeners.
    public var gostCertificate: String?
    /// The private key of ``gostCertificate``.
    public var gostPrivateKey: String?
    /// The platform CA bundle client certificates must chain to.
    public var clientCABundle: String?
    /// The CRL file; the CRL subscriber keeps it current.
    public var revocationList: String?
    /// The session ticket master key (64 bytes raw or base64); `nil` generates one per process.
    public var ticketKey: String?
    /// Open connections allowed from one client address on each listener (`nil`: the listener's default).
    public var maximumConnectionsPerAddress: Int?
    /// The pupils' listener's rate limit per pupil session.
    public var pupilSessionRate: RateLimitSetting = .standard
    /// The pupils' listener's rate limit per client address.
    public var pupilAddressRate: RateLimitSetting = .standard
    /// How long the gateway keeps a pupil session's module token, in seconds (`nil`: 60).
    public var pupilTokenTTLSeconds: Int?

    public init(
        listeners: [ListenerSetting] = [], certificate: String? = nil, privateKey: String? = nil,
        gostCertificate: String? = nil, gostPrivateKey: String? = nil, clientCABundle: String? = nil,
        revocationList: String? = nil, ticketKey: String? = nil
    ) {
        self.listeners = listeners
        self.certificate = certificate
        self.privateKey = privateKey
        self.gostCertificate = gostCertificate
        self.gostPrivateKey = gostPrivateKey
        self.clientCABundle = clientCABundle
        self.revocationList = revocationList
        self.ticketKey = ticketKey
    }

    /// Whether this process runs a gateway.
    public var isEnabled: Bool { !listeners.isEmpty }
}
