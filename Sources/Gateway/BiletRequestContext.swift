public import Accounts
public import Hummingbird
public import Identity
import NIOCore
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
    /// The pupil session the request's bearer token resolved to on the pupils' listener, set only
    /// by ``PupilSessionMiddleware``; `nil` everywhere else. Routes cannot set it.
    public internal(set) var pupil: PupilSession?
    /// The connection's remote address; ``clientAddress`` formats it only when a route asks.
    private let remoteAddress: SocketAddress?

    /// The client's IP address as the connection saw it (the balancer's, without the PROXY
    /// protocol); what per-address throttling keys on. Never logged or audited.
    public var clientAddress: String? { self.remoteAddress?.ipAddress }

    /// Builds the context for a request of the current connection.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.connection = ConnectionScope.current
        self.staff = nil
        self.pupil = nil
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The verified principal of the connection, if its client presented a certificate.
    public var principal: Principal? { self.connection?.peer.principal }

    /// The staff session ``StaffSessionMiddleware`` verified.
    ///
    /// - Throws: ``Problem/staffSessionRequired`` when there is none (the route is not behind the
    ///   middleware): fail closed.
    public func requireStaff() throws(Problem) -> StaffSession {
        guard let staff else { throw Problem.staffSessionRequired }
        return staff
    }

    /// The pupil session ``PupilSessionMiddleware`` verified.
    ///
    /// - Throws: ``Problem/pupilSessionRequired`` when there is none: fail closed.
    public func requirePupil() throws(Problem) -> PupilSession {
        guard let pupil else { throw Problem.pupilSessionRequired }
        return pupil
    }

    /// The listener's body limit.
    public var maxUploadSize: Int { self.connection?.limits.maximumBodyBytes ?? 1024 * 1024 }
}
