public import Gateway
public import Hummingbird
public import Identity

/// Refuses every request whose connection's verified client certificate is not `allowed`'s:
/// `403 monitoring-certificate-required`, the same answer for a workstation, another service or a
/// connection without a certificate (which the admin listener does not accept in the first place).
public struct MonitoringCertificateMiddleware: RouterMiddleware {
    public typealias Context = BiletRequestContext

    /// The one principal served.
    public let allowed: Principal

    public init(allowed: Principal) {
        self.allowed = allowed
    }

    /// The refusal.
    public static let refusal = Problem(
        .forbidden, code: "monitoring-certificate-required", title: "Only the monitoring certificate is served on this listener.")

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard context.connection?.peer.principal == allowed else { throw Self.refusal }
        return try await next(request, context)
    }
}
