import Accounts
import Gateway
import HTTPTypes
import Hummingbird
import VaultDoor

/// A pupil's own routes on the pupils' listener, behind a pupil session
/// (``PupilSessionMiddleware``):
///
/// - `GET /v1/pupil/me[?fields=a,b]`: the pupil's own card, read through the vault's door for
///   `self_service` as the pupil (`{token, fields}`); the card's day-to-day fields when none are
///   named. The token read is the session's own: nothing in the request can name another pupil.
///
/// The vault decides (the policy lets a pupil read only their own record), checks the
/// `self_service` consent and audits the read, as for any reader.
enum PupilSelfRoutes {
    /// The purpose of a pupil's reads of their own data.
    static let purpose = "self_service"

    static func add(to router: Router<BiletRequestContext>, door: VaultDoorClient, accounts: PupilAccounts) {
        let own = router.group("/v1/pupil/me").add(middleware: PupilSessionMiddleware(accounts: accounts))
        own.get { request, context -> Response in
            let caller = try caller(for: context)
            let fields = request.uri.queryParameters["fields"].map { $0.split(separator: ",").map(String.init) } ?? []
            guard let pupil = caller.pupil,
                case .pupils(.card(let read, let values)) = try await DoorCalls.call(
                    door, .pupils(.read(token: pupil, fields: fields, purpose: purpose, request: nil), caller: caller))
            else { throw PupilRoutes.unexpected }
            return JSONBody.response(.ok, PupilRoutes.CardBody(token: read, fields: values))
        }
    }

    /// The door caller of the request's pupil session: role `pupil`, the pupil's account, session,
    /// vault token, school and region.
    ///
    /// - Throws: ``Problem`` `401 session-required` without a verified pupil session.
    static func caller(for context: BiletRequestContext) throws(Problem) -> DoorCaller {
        DoorCalls.caller(forPupil: try context.requirePupil())
    }
}
