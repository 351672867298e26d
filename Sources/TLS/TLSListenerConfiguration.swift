public import NIOCore

/// One TLS listener: where it listens, whom it lets in, and its limits.
public struct TLSListenerConfiguration: Sendable, Hashable {
    /// A short name for logs, e.g. `workstations` or `pupils`.
    public var name: String
    /// The address to bind, e.g. `0.0.0.0` or `127.0.0.1`.
    public var host: String
    /// The TCP port; 0 picks a free one.
    public var port: Int
    /// Whether clients must present a certificate.
    public var clientAuthentication: ClientAuthentication
    /// Protocol versions and algorithms.
    public var profile: TLSProfile
    /// Time, size and connection limits.
    public var limits: ListenerLimits

    /// Makes a listener configuration.
    public init(
        name: String,
        host: String,
        port: Int,
        clientAuthentication: ClientAuthentication,
        profile: TLSProfile = .hardened,
        limits: ListenerLimits = ListenerLimits()
    ) {
        self.name = name
        self.host = host
        self.port = port
        self.clientAuthentication = clientAuthentication
        self.profile = profile
        self.limits = limits
    }
}

/// Limits that protect a listener and the connections it already has.
public struct ListenerLimits: Sendable, Hashable {
    /// A handshake not finished by then is abandoned and the connection closed (slow or stalled
    /// handshakes, garbage that never completes a record).
    public var handshakeTimeout: TimeAmount
    /// A connection with no complete request part for this long is closed (idle keep-alive
    /// connections, and request headers sent slowly, slow-loris style).
    public var idleTimeout: TimeAmount
    /// A request whose body is not complete this long after its head is refused and the connection
    /// closed (bodies sent slowly).
    public var requestTimeout: TimeAmount
    /// Connections beyond this many are closed at once, before any TLS work; the others are not
    /// affected.
    public var maximumConnections: Int
    /// Connections from one client IP address beyond this many are closed at once, before any TLS
    /// work (counted, and logged at most once per second); that address's other connections and
    /// every other address are not affected. Behind an L4 balancer without the PROXY protocol
    /// every client has the balancer's address: raise it there to the balancer's share. The default
    /// (256) leaves room for a school's computer rooms behind one NAT address.
    public var maximumConnectionsPerAddress: Int
    /// The largest request head (request line and headers together), in bytes.
    public var maximumHeaderBytes: Int
    /// Requests open at once on one HTTP/2 connection (`SETTINGS_MAX_CONCURRENT_STREAMS`).
    public var maximumConcurrentStreams: Int
    /// The largest request body, in bytes; a larger one is refused with 413 and the connection closed.
    public var maximumBodyBytes: Int
    /// How long a graceful shutdown waits for requests in flight before closing what is left.
    public var shutdownGracePeriod: TimeAmount
    /// How long a session ticket stays valid; also the ticket key rotation period.
    public var ticketLifetimeSeconds: Int

    /// Makes limits; the defaults suit a gateway in front of form-sized requests.
    public init(
        handshakeTimeout: TimeAmount = .seconds(10),
        idleTimeout: TimeAmount = .seconds(60),
        requestTimeout: TimeAmount = .seconds(30),
        maximumConnections: Int = 20_000,
        maximumConnectionsPerAddress: Int = 256,
        maximumHeaderBytes: Int = 16 * 1024,
        maximumConcurrentStreams: Int = 32,
        maximumBodyBytes: Int = 1024 * 1024,
        shutdownGracePeriod: TimeAmount = .seconds(20),
        ticketLifetimeSeconds: Int = 6 * 3600
    ) {
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
        self.requestTimeout = requestTimeout
        self.maximumConnections = maximumConnections
        self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumConcurrentStreams = maximumConcurrentStreams
        self.maximumBodyBytes = maximumBodyBytes
        self.shutdownGracePeriod = shutdownGracePeriod
        self.ticketLifetimeSeconds = ticketLifetimeSeconds
    }
}
