public import Audit
import Foundation
public import Policy

extension StaffSession {
    /// Asks the policy whether this staff member may do `action` on `resource` (its `fields`) for
    /// `purpose`, now, with no relationship facts (the staff routes decide on the session's role,
    /// organisation and region alone).
    ///
    /// A refusal is recorded before anything is answered: `recordDenial` gets the `policy.decided`
    /// event (deny, the deciding rule when it is a code the audit log accepts, the policy's
    /// version) and whatever it throws (the caller's "audit unavailable") is thrown instead of the
    /// refusal. A session whose role the schema cannot express is refused and recorded the same
    /// way (fail closed, no rule).
    ///
    /// - Returns: the permitting decision, or nil when the request was refused and the refusal
    ///   recorded: the caller answers its own `403`.
    public func permit(
        _ action: String, on resource: Resource, fields: [String] = [], purpose: String, policies: PolicyStore,
        recordDenial: (PolicyDecided) async throws -> Void
    ) async throws -> Decision? {
        let current = policies.current
        let denial = { (rule: String?, version: String) in
            PolicyDecided(
                actor: self.actor, decision: .deny, purpose: purpose, action: action, resource: resource.type,
                rule: rule.flatMap { AuditFieldKind.code.accepts(.string($0)) ? $0 : nil }, policyVersion: version)
        }
        let principal: Policy.Principal
        do {
            principal = try self.principal(schema: current.schema)
        } catch {
            try await recordDenial(denial(nil, current.version.digest))
            return nil
        }
        let decision = await policies.decide(
            PolicyRequest(
                principal: principal, action: action, resource: resource, fields: fields, purpose: purpose,
                time: Timestamp(secondsSinceEpoch: Int64(Date().timeIntervalSince1970))),
            relationships: InMemoryRelationships())
        guard decision.isAllowed else {
            try await recordDenial(denial(decision.decidingRules.first, decision.policyVersion.digest))
            return nil
        }
        return decision
    }
}
