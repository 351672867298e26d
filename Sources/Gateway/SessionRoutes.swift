public import Accounts
import Audit
import Foundation
public import Hummingbird
import HTTPTypes
import NIOCore

/// The staff login routes:
///
/// - `POST /v1/sessions` with `{"login": …, "password": …}` on a connection with a verified
///   workstation certificate: `201 {"token": …, "expiresAt": …}` when ``StaffLogin`` accepts
///   both factors, `401 login-failed` for every refusal, `401 no-client-certificate` without a
///   certificate, `400 malformed-request` for a body that is not that JSON, `503` when the audit
///   record or the database fails.
/// - `DELETE /v1/sessions/current` with the bearer token: ends the session, `204`.
///
/// Register with `SessionRoutes.add(to: router, login: …, sessions: …)`.
public enum SessionRoutes {
    /// The largest login body accepted, in bytes.
    public static let maximumRequestBytes = 4 * 1024

    struct LoginBody: Decodable {
        let login: String
        let password: String
    }

    struct OpenedBody: Encodable {
        let token: String
        let expiresAt: String
    }

    /// Adds the routes to `router`.
    public static func add(to router: Router<BiletRequestContext>, login: StaffLogin, sessions: StaffSessions) {
        router.post("/v1/sessions") { request, context -> Response in
            guard let certificate = context.connection.flatMap({ PresentedCertificate($0.peer) }) else {
                return GatewayRoutes.problem(
                    .unauthorized, code: "no-client-certificate", title: "Signing in needs a workstation certificate.")
            }
            if let refusal = GatewayRoutes.unsupportedMediaType(request, expecting: "application/json") { return refusal }
            let body: LoginBody
            do {
                let buffer = try await request.body.collect(upTo: Self.maximumRequestBytes)
                body = try JSONDecoder().decode(LoginBody.self, from: Data(buffer.readableBytesView))
            } catch {
                return GatewayRoutes.problem(
                    .badRequest, code: "malformed-request", title: "The body must be JSON with a login and a password.")
            }
            do throws(AccountsError) {
                let opened = try await login.login(body.login, password: body.password, certificate: certificate)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                let text = String(decoding: try! encoder.encode(
                    OpenedBody(token: opened.token.text, expiresAt: AuditTime.format(opened.expiresAt))), as: UTF8.self)
                var response = GatewayRoutes.json(.created, text)
                response.headers[.cacheControl] = "no-store"
                return response
            } catch {
                return StaffProblems.response(for: error)
            }
        }
        router.group("/v1/sessions").add(middleware: StaffSessionMiddleware(sessions: sessions))
            .delete("current") { _, context -> Response in
                guard let staff = context.staff else {
                    return GatewayRoutes.problem(.unauthorized, code: "session-required", title: "A staff session is required.")
                }
                do throws(AccountsError) {
                    try await sessions.logout(staff)
                    return Response(status: .noContent)
                } catch {
                    return StaffProblems.response(for: error)
                }
            }
    }
}
