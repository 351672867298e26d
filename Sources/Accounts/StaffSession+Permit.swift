public import Audit
public import Policy

extension StaffSession {
    /// Asks the policy whether this staff member may do `action` on `resource` (its `fields`) for
    /// `purpose`, now: ``PolicyStore/permit(_:on:fields:purpose:principal:actor:subject:recordDenial:)``
    /// with the session's principal. A session whose role the schema cannot express is refused and
    /// its refusal recorded the same way (fail closed, no rule).
    ///
    /// - Returns: the permitting decision, or nil when the request was refused and the refusal
    ///   recorded: the caller answers its own `403`.
    public func permit(
        _ action: String, on resource: Resource, fields: [String] = [], purpose: String, policies: PolicyStore,
        recordDenial: (PolicyDecided) async throws -> Void
    ) async throws -> Decision? {
        let current = policies.current
        let principal: Policy.Principal
        do {
            principal = try self.principal(schema: current.schema)
        } catch {
            try await recordDenial(
                PolicyStore.denial(
                    actor: actor, subject: nil, action: action, resource: resource.type, purpose: purpose, rule: nil,
                    version: current.version.digest))
            return nil
        }
        return try await policies.permit(
            action, on: resource, fields: fields, purpose: purpose, principal: principal, actor: actor, recordDenial: recordDenial)
    }
}
