import Audit
import Foundation
import Policy
import PostgreSQL

/// The vault's access guard: the one place that asks the policy engine on behalf of a door of the
/// vault, with the relationships read in the caller's transaction, and turns a refusal into the
/// error every door reports (``VaultError/Code/policyDenied``, with the policy's reason); and the
/// one place that judges whether the subject's active consents for the purpose cover what is asked
/// (``consent(for:fields:purpose:active:coverage:)``).
///
/// The door then audits the outcome with its own record type (`pii.read`, `pii.written`,
/// `token.resolved`, `duplicate.handled` …) in the same transaction before returning anything.
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

    /// Appends `event` in the guard's transaction, before anything is returned; if it cannot be
    /// written the operation fails (``VaultError/Code/auditUnavailable``,
    /// ``VaultError/Code/auditFailed``).
    func audit(_ event: some TypedAuditEvent) async throws(VaultError) {
        try await vault.appendAudit(event.event, on: connection)
    }

    /// What the active consents must cover.
    enum Coverage {
        /// Any active consent for the purpose (a pairwise token: no field is released).
        case purpose
        /// Reads: fields no consent lists come back redacted, but a special-category field asked
        /// for needs an explicit health-data consent listing it.
        case released
        /// Writes and searches: every field must be listed by an active consent (health data by
        /// its explicit one).
        case everyField
    }

    /// The consent relied on among `active` (the subject's active consents for `purpose`), or the
    /// refusal: none at all is why there is none (``VaultError/Code/consentMissing``, `withdrawn`,
    /// `expired`), a field not covered is ``VaultError/Code/consentMissing`` or
    /// ``VaultError/Code/healthConsentMissing`` naming it.
    func consent(
        for subject: SubjectRecord, fields: [FieldName], purpose: String, active: [ActiveConsent], coverage: Coverage
    ) async throws(VaultError) -> Result<ActiveConsent, VaultError> {
        guard let first = active.first else {
            let code = try await vault.consentRefusal(for: subject.id, purpose: purpose, at: now, on: connection)
            return .failure(VaultError(code, reason: "no active consent covers the purpose"))
        }
        switch coverage {
        case .purpose:
            return .success(first)
        case .released:
            if let special = fields.first(where: { field in
                field.isSpecialCategory && !active.contains(where: { $0.healthData && $0.fields.contains(field) })
            }) {
                return .failure(VaultError(.healthConsentMissing, field: special, reason: "health data needs its explicit consent"))
            }
            return .success(active.first { !$0.healthData } ?? first)
        case .everyField:
            for field in fields where !active.contains(where: { $0.fields.contains(field) }) {
                return .failure(
                    VaultError(
                        field.isSpecialCategory ? .healthConsentMissing : .consentMissing, field: field,
                        reason: "the consent does not cover this field"))
            }
            return .success(active.first { $0.fields.isSuperset(of: fields) } ?? active.first { !$0.healthData } ?? first)
        }
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
