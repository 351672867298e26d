public import Accounts
public import Gateway
import HTTPTypes
public import VaultDoor

/// What every vault route shares: the verified ``DoorCaller`` of the request, one call through the
/// door, and the problem document of each refusal code the door answers with.
///
/// The gateway decides nothing about personal data: it names the caller as its session verified
/// it, forwards the request, and renders the vault's refusal code. The vault process already
/// collapses refusals that must look alike (another school's pupil, an unknown token and an
/// erased one all come back as `pupil-not-found`), so nothing here can tell them apart either.
public enum DoorCalls {
    /// The door caller of the request's staff session (the role, account, session, organisation,
    /// region and certificate serial as ``StaffSessionMiddleware`` verified them).
    ///
    /// - Throws: ``Problem`` `401 session-required` when the request carries no verified staff
    ///   session (the route is not behind the session middleware, or the middleware refused).
    public static func caller(for context: BiletRequestContext) throws(Problem) -> DoorCaller {
        caller(for: try context.requireStaff())
    }

    /// The door caller of a verified staff session.
    public static func caller(for session: StaffSession) -> DoorCaller {
        DoorCaller(
            role: session.role.rawValue, account: session.accountID, session: session.sessionID,
            organisationKind: session.organisation.kind.rawValue, organisationID: session.organisation.id.value,
            region: session.region, pupil: nil, certificateSerial: session.certificateSerial)
    }

    /// Sends `request` through `door` and returns the vault's answer unless it is a refusal.
    ///
    /// - Throws: ``Problem`` for a refusal (``problem(forRefusal:)``), `413 body-too-large` when
    ///   the request is longer than the door reads (nothing is sent), and `503 vault-unavailable`
    ///   when the vault process cannot be reached or answers nonsense.
    public static func call(_ door: VaultDoorClient, _ request: VaultDoorRequest) async throws(Problem) -> VaultDoorResponse {
        let response: VaultDoorResponse
        do {
            response = try await door.call(request)
        } catch where error.code == .requestTooLarge {
            throw Problem.bodyTooLarge
        } catch {
            throw Problem(.serviceUnavailable, code: "vault-unavailable", title: "The vault cannot be reached; try again later.")
        }
        if case .refused(let code) = response { throw problem(forRefusal: code) }
        return response
    }

    /// The problem document of a door refusal code. Unknown codes are `500 internal-error` (fail
    /// closed, and no code the vault did not mean to show reaches the client).
    public static func problem(forRefusal code: String) -> Problem {
        guard let (status, title) = answers[code] else {
            return Problem.internalError
        }
        return Problem(status, code: code, title: title)
    }

    /// The refusal codes the door answers with, and their answers.
    static let answers: [String: (HTTPResponse.Status, String)] = [
        "pupil-not-found": (.notFound, "No pupil of yours has this token."),
        "consent-not-found": (.notFound, "No consent of yours has this reference."),
        "case-not-found": (.notFound, "No duplicate case of your region has this reference."),
        "request-not-found": (.notFound, "No subject-access request of yours has this reference."),
        "transfer-not-found": (.notFound, "No transfer to your school has this reference."),
        "navigator-not-found": (.notFound, "No navigator account of your school has this id."),
        "assignment-not-found": (.notFound, "This navigator holds no assignment to this pupil."),
        "forbidden": (.forbidden, "The policy does not permit this request."),
        "fields-not-granted": (.forbidden, "The policy does not release every field asked for; ask for fewer."),
        "consent-missing": (.forbidden, "No active consent covers this purpose and these fields."),
        "consent-withdrawn": (.forbidden, "The consent for this purpose was withdrawn."),
        "consent-expired": (.forbidden, "The consent for this purpose has expired."),
        "health-consent-missing": (.forbidden, "Health data needs its own explicit consent."),
        "access-request-required": (.forbidden, "A read for parent_request cites an open subject-access request."),
        "access-request-answered": (.conflict, "The subject-access request was answered already."),
        "duplicate-pupil": (.conflict, "This school has registered this pupil already."),
        "case-resolved": (.conflict, "The duplicate case was resolved already."),
        "consent-not-active": (.conflict, "The consent is not active."),
        "transfer-conflict": (.conflict, "The pupil has a transfer waiting already, or it was accepted already."),
        "legal-hold": (.conflict, "The pupil's data is under legal hold."),
        "invalid-request": (.badRequest, "The request is not one the vault accepts."),
        "invalid-value": (.unprocessableContent, "A value does not have the form its field requires."),
        "missing-value": (.unprocessableContent, "A required value is missing."),
        "unknown-field": (.unprocessableContent, "A field name is not one a pupil has."),
        "invalid-consent": (.unprocessableContent, "The consent record is incomplete or contradicts the rules."),
        "document-rejected": (.unprocessableContent, "The document is not an accepted type or is too large."),
        "sealed": (.serviceUnavailable, "The vault is sealed; try again later."),
        "audit-unavailable": (.serviceUnavailable, "The audit log cannot record this now; try again later."),
        "unavailable": (.serviceUnavailable, "The service is unavailable; try again later."),
        "not-implemented": (.notImplemented, "This request is not available yet."),
    ]
}
