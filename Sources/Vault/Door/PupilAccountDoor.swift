import Audit
import Foundation
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// The purpose a pupil's own account serves.
    public static let selfServicePurpose = "self_service"

    /// Confirms that `requester` may hand the pupil `token` their own account (an activation code
    /// for the pupils' listener), before the gateway issues one.
    ///
    /// In one transaction: the pupil must be live; the policy must let the requester maintain the
    /// pupil's record (`update` of the pupil for `enrolment`, no fields: a school, for its own
    /// pupils only); an active consent for `self_service` must exist (without it the account could
    /// read nothing and its login would be processed without consent). The outcome is audited as
    /// `policy.decided` (permit or deny, action `update`, resource `pupil`) before it is returned;
    /// if that record cannot be written, nothing is confirmed.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/unknownSubject`` (also for a subject that is not a pupil),
    ///   ``VaultError/Code/subjectErased``, ``VaultError/Code/policyDenied``,
    ///   ``VaultError/Code/consentMissing``, ``VaultError/Code/consentWithdrawn``,
    ///   ``VaultError/Code/consentExpired``, ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func confirmPupilAccount(_ token: SubjectToken, by requester: Requester) async throws(VaultError) {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.enrolmentPurpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<ActiveConsent, VaultError> = try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let subject: SubjectRecord
            do throws(VaultError) {
                subject = try await self.liveSubject(token, on: connection)
                guard subject.kind == .pupil else { throw VaultError(.unknownSubject, reason: "no pupil has this token") }
            } catch {
                try await guarded.auditDenial(
                    subject: token, action: "update", resource: "pupil", fields: [], purpose: Self.enrolmentPurpose, rule: nil)
                return .failure(error)
            }
            let consents = try await self.activeConsents(for: [subject.id], purpose: Self.selfServicePurpose, at: now, on: connection)
            return try await guarded.authorise(
                "update", subject, fields: [], purpose: Self.enrolmentPurpose, consentPurpose: Self.selfServicePurpose,
                active: consents[subject.id] ?? [], coverage: .purpose
            ) { decision, refusal in
                PolicyDecided(
                    actor: requester.actor, subject: token.rawValue, decision: refusal == nil ? .permit : .deny,
                    purpose: decision.isAllowed ? Self.selfServicePurpose : Self.enrolmentPurpose, action: "update", resource: "pupil",
                    fieldsRequested: [], rule: decision.decidingRules.first.flatMap { AuditFieldKind.code.accepts(.string($0)) ? $0 : nil },
                    policyVersion: Self.auditDigest(of: policySet.version))
            }
        }
        _ = try outcome.get()
    }
}
