import Tokens
import Vault
import VaultDoor

/// Answers the door's ``AssessmentDoorRequest``s in the vault process: a pupil's assessment token
/// for the verified ``DoorCaller``, through ``Vault/moduleToken(for:in:purpose:by:)``, which decides
/// (policy `read` on the pupil for `assessment`: a navigator's assigned pupils, a pupil's own
/// record), checks the `assessment` consent and audits `token.resolved` in one transaction.
///
/// Refusals fold as a pupil's (``DoorRefusals/Scope/pupil``): a pupil the caller may not reach
/// answers `pupil-not-found`, like an unknown or erased token.
enum AssessmentDoorHandler {
    /// The purpose of every assessment translation.
    static let purpose = "assessment"

    static func answer(_ request: AssessmentDoorRequest, caller: DoorCaller, vault: Vault) async -> VaultDoorResponse {
        let requester: Requester
        do {
            requester = try Requester(caller: caller, schema: vault.policies.current.schema)
        } catch {
            return .refused(code: "forbidden")
        }
        let named: String
        switch request {
        case .pupilToken(let token): named = token
        case .ownToken:
            guard caller.role == "pupil", let own = caller.pupil else { return .refused(code: "forbidden") }
            named = own
        }
        guard let subject = try? SubjectToken(parsing: named) else { return .refused(code: "pupil-not-found") }
        do {
            let token = try await vault.moduleToken(for: .subject(subject), in: .assessment, purpose: purpose, by: requester)
            return .assessment(.token(token.rawValue))
        } catch {
            return .refused(code: DoorRefusals.code(for: error, about: .pupil))
        }
    }
}
