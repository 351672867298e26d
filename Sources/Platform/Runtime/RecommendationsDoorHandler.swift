import Tokens
package import Vault
package import VaultDoor

/// Answers the door's ``RecommendationsDoorRequest``s in the vault process: a pupil's
/// recommendations token for the verified ``DoorCaller``. A navigator's request goes through
/// ``Vault/recommendationsToken(for:action:by:)`` (the action on the pupil's recommendations, then
/// the translation); a pupil's own through ``Vault/moduleToken(for:in:purpose:by:)``
/// (`pupil.self.recommendations`). Policy, consent and audit are the vault's.
///
/// Refusals fold as a pupil's (``DoorRefusals/Scope/pupil``): a pupil the caller may not reach
/// answers `pupil-not-found`, like an unknown or erased token.
package enum RecommendationsDoorHandler {
    package static func answer(_ request: RecommendationsDoorRequest, caller: DoorCaller, vault: Vault) async -> VaultDoorResponse {
        let requester: Requester
        do {
            requester = try Requester(caller: caller, schema: vault.policies.current.schema)
        } catch {
            return .refused(code: "forbidden")
        }
        do throws(VaultError) {
            switch request {
            case .pupilToken(let pupil, let action):
                guard caller.role == "navigator" else { return .refused(code: "forbidden") }
                guard let subject = try? SubjectToken(parsing: pupil) else { return .refused(code: "pupil-not-found") }
                let token = try await vault.recommendationsToken(for: subject, action: action, by: requester)
                return .recommendations(.token(token.rawValue))
            case .ownToken:
                guard caller.role == "pupil", let own = caller.pupil, let subject = try? SubjectToken(parsing: own) else {
                    return .refused(code: "forbidden")
                }
                let token = try await vault.moduleToken(
                    for: .subject(subject), in: .recommendations, purpose: Vault.recommendationPurpose, by: requester)
                return .recommendations(.token(token.rawValue))
            }
        } catch {
            return .refused(code: DoorRefusals.code(for: error, about: .pupil))
        }
    }
}
