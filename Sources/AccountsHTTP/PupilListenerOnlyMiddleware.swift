public import Gateway
public import Hummingbird
import HTTPTypes

/// Keeps the pupils' own routes (`/v1/pupil/…`) on connections without a client certificate: a
/// request that arrives with a verified workstation or service certificate (a staff listener, or
/// a certificate presented to a listener where it is optional) is answered as if the route did not
/// exist there (`404 route-not-found`), so a pupil's password is never typed on a staff
/// workstation's session and a workstation cannot probe pupils' logins. Requests outside a gateway
/// listener (no connection at all) are refused the same way: fail closed.
public struct PupilListenerOnlyMiddleware: RouterMiddleware {
    public typealias Context = BiletRequestContext

    /// The answer for a pupils' route reached with a client certificate.
    public static let refusal = Problem(.notFound, code: "route-not-found", title: "No such route.")

    /// The middleware; it has no settings.
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let connection = context.connection, connection.peer.principal == nil, connection.peer.clientCertificate == nil else {
            return Self.refusal.response
        }
        return try await next(request, context)
    }
}
