import Audit
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// The modules' door: reads `fields` of the pupil a module names by its own pairwise token,
    /// for `purpose`, through the one door (``read(_:fields:purpose:request:by:)``: policy for the
    /// `service` principal, consent, `pii.read` before decryption).
    ///
    /// A module names pupils by its own tokens only: a token of another module's namespace is
    /// refused (``VaultError/Code/policyDenied``) and audited as a denied `pii.read` naming the
    /// pupil, before any decision on the fields, so holding another module's tokens never lets a
    /// module read through them.
    ///
    /// - Throws: the errors of ``read(_:fields:purpose:request:by:)``.
    public func moduleRead(_ token: ModuleToken, fields: [FieldName], purpose: String, by requester: Requester) async throws(VaultError)
        -> SubjectData
    {
        guard requester.principal.role == "service", requester.principal.attributes["service"] == .string(token.module.rawValue) else {
            _ = try keys()
            try checkRequest(requester: requester, purpose: purpose)
            let policySet = policies.current
            let refusal = VaultError(.policyDenied, reason: "policy: a token of another module's namespace")
            try await withTransaction { connection in
                let subject = try await SubjectQueries.byModuleTokens([token], on: connection).first?.1
                let audit = ReadAudit(requester: requester, purpose: purpose, requested: fields.map(\.rawValue), policyVersion: policySet.version)
                try await self.appendAudit(audit.event(subject?.token.rawValue ?? token.rawValue, refusal: refusal).event, on: connection)
            }
            throw refusal
        }
        return try await read(.module(token), fields: fields, purpose: purpose, by: requester)
    }
}
