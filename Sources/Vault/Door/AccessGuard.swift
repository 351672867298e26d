import Foundation
import Policy
import PostgreSQL

/// The vault's access guard: the one place that asks the policy engine on behalf of a door of the
/// vault, with the relationships read in the caller's transaction, and turns a refusal into the
/// error every door reports (``VaultError/Code/policyDenied``, with the policy's reason).
///
/// The door then audits the refusal with its own record type (`pii.read`, `pii.written`,
/// `duplicate.handled` …) in the same transaction before returning it.
struct AccessGuard {
    let vault: Vault
    let requester: Requester
    let policySet: PolicySet
    let now: Date
    let connection: PostgresConnection

    /// The policy's decision on `action` of `resource` (and `fields`) for `purpose`.
    func decide(_ action: String, _ resource: Resource, fields: [String] = [], purpose: String) async -> Decision {
        await policySet.decide(
            PolicyRequest(
                principal: requester.principal, action: action, resource: resource, fields: fields, purpose: purpose,
                time: Vault.timestamp(now)),
            relationships: vault.relationships(on: connection))
    }

    /// Nil when the policy allows `action`; the refusal otherwise.
    func refusal(_ action: String, _ resource: Resource, fields: [String] = [], purpose: String) async -> VaultError? {
        let decision = await decide(action, resource, fields: fields, purpose: purpose)
        return decision.isAllowed ? nil : VaultError.policyDenied(decision)
    }
}

extension VaultError {
    /// The refusal of a policy decision that did not allow: ``Code/policyDenied`` with its reason.
    static func policyDenied(_ decision: Decision) -> VaultError {
        VaultError(.policyDenied, reason: "policy: \(decision.reason?.rawValue ?? "deny")")
    }
}

extension Vault {
    /// The access guard for `requester` in the transaction open on `connection`.
    func accessGuard(_ requester: Requester, policySet: PolicySet, at now: Date, on connection: PostgresConnection) -> AccessGuard {
        AccessGuard(vault: self, requester: requester, policySet: policySet, now: now, connection: connection)
    }
}
