public import Audit
import Foundation
public import Policy

extension PolicyStore {
    /// Asks whether `principal` may do `action` on `resource` (its `fields`) for `purpose`, now,
    /// with no relationship facts (what the staff's and the pupils' own routes decide on).
    ///
    /// A refusal is recorded before anything is answered: `recordDenial` gets the `policy.decided`
    /// event (deny, `actor`, `subject` when the request is about one, the deciding rule when it is a
    /// code the audit log accepts, the policy's version), and whatever it throws (the caller's
    /// "audit unavailable") is thrown instead of the refusal.
    ///
    /// - Returns: the permitting decision, or nil when the request was refused and the refusal
    ///   recorded: the caller answers its own `403`.
    public func permit(
        _ action: String, on resource: Resource, fields: [String] = [], purpose: String, principal: Policy.Principal,
        actor: String, subject: String? = nil, recordDenial: (PolicyDecided) async throws -> Void
    ) async throws -> Decision? {
        let decision = await decide(
            PolicyRequest(
                principal: principal, action: action, resource: resource, fields: fields, purpose: purpose,
                time: Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))),
            relationships: InMemoryRelationships())
        guard decision.isAllowed else {
            try await recordDenial(
                Self.denial(
                    actor: actor, subject: subject, action: action, resource: resource.type, purpose: purpose,
                    rule: decision.decidingRules.first, version: decision.policyVersion.digest))
            return nil
        }
        return decision
    }

    /// The `policy.decided` record of a refusal; a rule the audit log would not accept as a code is left out.
    static func denial(
        actor: String, subject: String?, action: String, resource: String, purpose: String, rule: String?, version: String
    ) -> PolicyDecided {
        PolicyDecided(
            actor: actor, subject: subject, decision: .deny, purpose: purpose, action: action, resource: resource,
            rule: rule.flatMap { AuditFieldKind.code.accepts(.string($0)) ? $0 : nil }, policyVersion: version)
    }
}
