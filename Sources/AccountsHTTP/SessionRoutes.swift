public import Accounts
import Audit
import Foundation
public import Gateway
public import Hummingbird
import HTTPTypes

/// The staff login routes:
///
/// - `POST /v1/sessions` with `{"login": …, "password": …}` on a connection with a verified
///   workstation certificate: `201 {"token": …, "expiresAt": …}` when ``StaffLogin`` accepts
///   both factors, `401 login-failed` for every refusal, `401 no-client-certificate` without a
///   certificate, `415` for a body not declared JSON, `400 malformed-request` for a body that is not
///   that JSON, `503` when the audit record or the database fails.
/// - `DELETE /v1/sessions/current` with the bearer token: ends the session, `204`.
///
/// Register with `SessionRoutes.add(to: router, login: …, sessions: …)`.
public enum SessionRoutes {
    /// The largest login body accepted, in bytes.
    public static let maximumRequestBytes = 4 * 1024

    /// The sign-in body, staff's and pupils' (``PupilSessionRoutes``).
    struct LoginBody: Decodable {
        let login: String
        let password: String
    }

    /// The opened session's answer, staff's and pupils'.
    struct OpenedBody: Encodable {
        let token: String
        let expiresAt: String
    }

    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, login: StaffLogin, sessions: StaffSessions) {
        router.post("/v1/sessions") { request, context -> Response in
            guard let certificate = context.connection.flatMap({ PresentedCertificate($0.peer) }) else {
                return Problem(.unauthorized, code: "no-client-certificate", title: "Signing in needs a workstation certificate.").response
            }
            let body = try await JSONBody.decode(LoginBody.self, from: request, limit: maximumRequestBytes)
            let opened = try await login.login(body.login, password: body.password, certificate: certificate)
            return JSONBody.response(.created, OpenedBody(token: opened.token.text, expiresAt: AuditTime.format(opened.expiresAt)))
        }
        router.group("/v1/sessions").add(middleware: StaffSessionMiddleware(sessions: sessions))
            .delete("current") { _, context -> Response in
                try await sessions.logout(try context.requireStaff())
                return Response(status: .noContent)
            }
    }
}
