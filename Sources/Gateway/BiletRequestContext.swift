public import Accounts
public import Hummingbird
public import Identity
import TLS

/// The request context of every gateway route: Hummingbird's core context plus the connection's
/// verified peer.
///
/// ``principal`` is the principal verified during this connection's TLS handshake; it is `nil` on
/// listeners without client certificates (the pupils' listener) and never anything a request could
/// claim for itself.
public struct BiletRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection this request arrived on; `nil` only outside a gateway listener.
    public let connection: GatewayConnection?
    /// The staff session the request's bearer token resolved to, set only by
    /// ``StaffSessionMiddleware`` (live, and bound to this connection's certificate); `nil`
    /// everywhere else. Routes cannot set it.
    public internal(set) var staff: StaffSession?

    /// Builds the context for a request of the current connection.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.connection = ConnectionScope.current
        self.staff = nil
    }

    /// The verified principal of the connection, if its client presented a certificate.
    public var principal: Principal? { self.connection?.peer.principal }

    /// The listener's body limit.
    public var maxUploadSize: Int { self.connection?.limits.maximumBodyBytes ?? 1024 * 1024 }
}
