import Audit
import Foundation
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// The purpose recommendations are prepared, translated and audited for.
    public static let recommendationPurpose = "recommendation"

    /// The pupil's recommendations token for `action` (`create`: generate, `read`: review,
    /// `update`: edit or publish) on their recommendations, as `requester` (a navigator).
    ///
    /// First the policy decides `action` on the pupil's `recommendation` (the pupil, their school
    /// and region; `navigator.recommendations.assigned`): a refusal is audited (`policy.decided`,
    /// deny) and thrown. Then the pupil is translated into the recommendations namespace for
    /// purpose `recommendation` (``moduleToken(for:in:purpose:by:)``: policy, consent,
    /// `token.resolved`).
    ///
    /// - Throws: ``VaultError/Code/invalidRequest``, ``VaultError/Code/policyDenied``, the consent
    ///   codes, ``VaultError/Code/unknownSubject``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``.
    public func recommendationsToken(
        for pupil: SubjectToken, action: String, by requester: Requester
    ) async throws(VaultError) -> RecommendationsToken {
        guard ["create", "read", "update"].contains(action) else { throw VaultError(.invalidRequest, reason: "create, read or update") }
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.recommendationPurpose)
        let now = clock.now
        let policySet = policies.current
        let decided: Result<Void, VaultError> = try await withTransaction { connection in
            // An unknown or erased pupil goes on to the translation, which refuses and audits it.
            guard let subject = try await SubjectQueries.byTokens([pupil], on: connection).first, !subject.isErased,
                  subject.kind == .pupil
            else { return .success(()) }
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            var attributes: [String: Value] = ["pupil": .entity(EntityRef("pupil", subject.token.rawValue))]
            if let school = subject.organisation { attributes["school"] = .entity(EntityRef("school", school)) }
            if let region = subject.region { attributes["region"] = .entity(EntityRef("region", region)) }
            let resource = Resource(type: "recommendation", id: subject.token.rawValue, attributes: attributes)
            if let refusal = try await guarded.permitOrAuditDenial(
                action, resource, subject: subject.token, purpose: Self.recommendationPurpose)
            {
                return .failure(refusal)
            }
            return .success(())
        }
        try decided.get()
        let token = try await moduleToken(for: .subject(pupil), in: .recommendations, purpose: Self.recommendationPurpose, by: requester)
        guard let typed = token.typed(as: RecommendationsNamespace.self) else { throw VaultError(.storage, reason: "not a recommendations token") }
        return typed
    }
}
