public import Accounts
import Audit
import Foundation
public import Gateway
public import Hummingbird
import HTTPTypes

/// The pupils' own account routes on the pupils' listener (no client certificate; a request with
/// one is answered `404 route-not-found` by ``PupilListenerOnlyMiddleware``):
///
/// - `POST /v1/pupil/activate {activation_code, login, password}`: the pupil chooses a login and
///   sets a password with the code the school handed them; `204`; every refused code `401
///   activation-failed`.
/// - `POST /v1/pupil/sessions {login, password}`: `201 {token, expiresAt}`; every refusal (unknown
///   login, wrong password, not activated, disabled, held back by the growing delays) is the same
///   `401 login-failed` after the same work.
/// - `DELETE /v1/pupil/sessions/current` (bearer token): `204`.
///
/// The school side (`POST /v1/pupils/{token}/activation-code`) is wired by the vault routes after
/// the door check, with ``PupilAccounts/issueActivationCode(pupil:school:region:actor:)``.
public enum PupilSessionRoutes {
    /// The largest body accepted, in bytes.
    public static let maximumRequestBytes = 4 * 1024

    /// Adds the routes to `router`, behind ``PupilListenerOnlyMiddleware``: reached with a client
    /// certificate they answer `404 route-not-found`, as a route that does not exist.
    /// `signedOut` is told of each session ended by logout (the gateway forgets what it cached for it).
    public static func add(
        to router: Router<BiletRequestContext>, accounts: PupilAccounts, signedOut: @escaping @Sendable (PupilSession) async -> Void = { _ in }
    ) {
        let pupil = router.group("/v1/pupil").add(middleware: PupilListenerOnlyMiddleware())
        pupil.post("activate") { request, context -> Response in
            let body = try await JSONBody.decode(ActivateBody.self, from: request, limit: maximumRequestBytes)
            try await accounts.activate(
                code: body.activationCode, login: body.login, password: body.password, address: context.clientAddress)
            return Response(status: .noContent)
        }
        pupil.post("sessions") { request, context -> Response in
            let body = try await JSONBody.decode(SessionRoutes.LoginBody.self, from: request, limit: maximumRequestBytes)
            let opened = try await accounts.login(body.login, password: body.password, address: context.clientAddress)
            return JSONBody.response(.created, SessionRoutes.OpenedBody(token: opened.token.text, expiresAt: AuditTime.format(opened.expiresAt)))
        }
        pupil.group("sessions").add(middleware: PupilSessionMiddleware(accounts: accounts))
            .delete("current") { _, context -> Response in
                let session = try context.requirePupil()
                try await accounts.logout(session)
                await signedOut(session)
                return Response(status: .noContent)
            }
    }
}
