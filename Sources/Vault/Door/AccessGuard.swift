import Audit
import Foundation
import Policy
import PostgreSQL
import Tokens

/// The vault's access guard: the one place that asks the policy engine on behalf of a door of the
/// vault, with the relationships read in the caller's transaction, and turns a refusal into the
/// error every door reports (``VaultError/Code/policyDenied``, with the policy's reason); and the
/// one place that judges whether the subject's active consents for the purpose cover what is asked
/// (``consent(for:fields:purpose:active:coverage:)``).
///
/// The outcome is audited in the same transaction before anything is returned: with the door's
/// own record type (`pii.read`, `pii.written`, `token.resolved`, `duplicate.handled` …) through
/// ``audit(_:)``, or, for refusals without a type of their own, as `policy.decided` by
/// ``permitOrAuditDenial(_:_:subject:fields:purpose:)`` and ``auditDenial(subject:action:resource:fields:purpose:rule:)``.
/// ``authorise(_:_:fields:purpose:consentPurpose:active:coverage:record:)`` is the whole sequence
/// in one call: policy, consent, audit record.
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

    /// The policy's decision on `action` of `resource`; when it does not allow, its `policy.decided`
    /// deny record is appended and the refusal returned. Nil when allowed.
    func permitOrAuditDenial(
        _ action: String, _ resource: Resource, subject: SubjectToken?, fields: [String] = [], purpose: String
    ) async throws(VaultError) -> VaultError? {
        let decision = await decide(action, resource, fields: fields, purpose: purpose)
        guard !decision.isAllowed else { return nil }
        try await auditDenial(
            subject: subject, action: action, resource: resource.type, fields: fields, purpose: purpose, rule: decision.decidingRules.first)
        return VaultError.policyDenied(decision)
    }

    /// Appends a `policy.decided` deny record (for refusals that have no event type of their own):
    /// the rule only when it is a code, the policy version as its audit digest.
    func auditDenial(
        subject: SubjectToken?, action: String, resource: String, fields: [String], purpose: String?, rule: String?
    ) async throws(VaultError) {
        try await audit(
            PolicyDecided(
                actor: requester.actor, subject: subject?.rawValue, decision: .deny, purpose: purpose, action: action, resource: resource,
                fieldsRequested: fields, rule: rule.flatMap { AuditFieldKind.code.accepts(.string($0)) ? $0 : nil },
                policyVersion: Vault.auditDigest(of: policySet.version)))
    }

    /// The whole sequence of a door in one call: the policy's decision on `action` of `subject`
    /// (`fields`, for `purpose`), then the subject's active consents (`active`, for
    /// `consentPurpose`, by default `purpose`) as `coverage` asks, then the audit record `record`
    /// builds from the decision and the refusal (nil: permitted), appended before this returns.
    /// Returns the consent relied on, or the refusal (already audited).
    func authorise<Event: TypedAuditEvent>(
        _ action: String, _ subject: SubjectRecord, fields: [FieldName], purpose: String, consentPurpose: String? = nil,
        active: [ActiveConsent], coverage: Coverage, record: (Decision, VaultError?) -> Event
    ) async throws(VaultError) -> Result<ActiveConsent, VaultError> {
        let decision = await decide(action, subject.policyResource, fields: fields.map(\.rawValue), purpose: purpose)
        let outcome: Result<ActiveConsent, VaultError>
        if decision.isAllowed {
            outcome = try await consent(for: subject, fields: fields, purpose: consentPurpose ?? purpose, active: active, coverage: coverage)
        } else {
            outcome = .failure(VaultError.policyDenied(decision))
        }
        switch outcome {
        case .success: try await audit(record(decision, nil))
        case .failure(let refusal): try await audit(record(decision, refusal))
        }
        return outcome
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
