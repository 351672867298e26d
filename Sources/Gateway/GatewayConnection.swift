public import TLS

/// The connection a request arrived on: its verified peer and the listener's settings.
public struct GatewayConnection: Sendable, Hashable {
    /// Who is connected (principal, if any) and what TLS negotiated.
    public let peer: PeerIdentity
    /// The listener's name, e.g. `workstations`.
    public let listener: String
    /// The listener's limits.
    public let limits: ListenerLimits
}

/// Carries the connection into the request contexts created while that connection's requests are
/// handled: Hummingbird builds a context inside the task that serves the connection, so a task
/// local bound around that task is seen by exactly that connection's requests.
enum ConnectionScope {
    @TaskLocal static var current: GatewayConnection?
}
