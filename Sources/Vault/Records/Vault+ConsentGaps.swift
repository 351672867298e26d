import Audit
import Foundation
import Policy
import PostgreSQL
public import Tokens

/// A pupil of the caller's school without an active consent for a purpose: the pupil's token and
/// what became of the newest consent for that purpose, if there was one. No personal data.
public struct ConsentGap: Sendable, Hashable {
    /// The pupil.
    public var subject: SubjectToken
    /// `none` (never given), `withdrawn`, `expired`, `not_yet_valid` or `superseded`: the newest
    /// consent's state.
    public var status: String
}

extension Vault {
    /// The most pupils ``schoolPupilsLackingConsent(purpose:by:)`` lists at once.
    public static let consentGapListLimit = 500

    /// The pupils of the requester's school (not erased) that no active consent covers for
    /// `purpose` (a consent in force: state `active`, `valid_from` passed, `valid_until` not),
    /// oldest registration first, at most ``consentGapListLimit``.
    ///
    /// Only a requester of the role `school` may ask (a navigator of the same school is refused even
    /// when the list would be empty), for ``consentPurpose``; a refusal is audited (`policy.decided`,
    /// deny, rule `vault.consent-gaps.school-only`). Each pupil listed is decided as
    /// `read` of the pupil's `consent` (fields `scope`, `status`), as ``consents(of:by:)`` does; the
    /// first refusal is audited (`policy.decided`, deny) and refuses the whole list. A pupil's
    /// consent state is personal data about the pupil, so each pupil listed gets its `pii.read`
    /// (permit, the two fields), appended in the list's transaction before anything is returned;
    /// if they cannot be written nothing is returned.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest`` (a purpose the
    ///   policy schema does not declare), ``VaultError/Code/policyDenied`` (a requester of no school, or a
    ///   refused pupil), ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``,
    ///   ``VaultError/Code/storage``.
    public func schoolPupilsLackingConsent(purpose: String, by requester: Requester) async throws(VaultError) -> [ConsentGap] {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.consentPurpose)
        let policySet = policies.current
        // A purpose the schema does not declare has no consents: listing every pupil for it (and
        // auditing each as read) would be a school's whole roll for nothing.
        guard policySet.schema.purposes.contains(where: { $0.name == purpose }) else {
            throw VaultError(.invalidRequest, reason: "the purpose is not one the policy schema declares")
        }
        let now = clock.now
        let fields = ["scope", "status"]
        guard requester.principal.role == "school", case .entity(let organisation)? = requester.principal.attributes["organisation"],
            organisation.type == "school"
        else {
            try await withTransaction { connection in
                try await self.accessGuard(requester, policySet: policySet, at: now, on: connection).auditDenial(
                    subject: nil, action: "read", resource: "consent", fields: fields, purpose: Self.consentPurpose,
                    rule: "vault.consent-gaps.school-only")
            }
            throw VaultError(.policyDenied, reason: "only a school lists its pupils lacking a consent")
        }
        let school = organisation.id
        let outcome: Result<[ConsentGap], VaultError> = try await withTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT s.token, s.region, newest.state, newest.valid_from > \(now)
                FROM vault.subjects s
                LEFT JOIN LATERAL (
                    SELECT c.state, c.valid_from FROM vault.consents c WHERE c.subject_id = s.id AND c.purpose = \(purpose)
                    ORDER BY c.recorded_at DESC, c.version DESC LIMIT 1) newest ON true
                WHERE s.kind = 'pupil' AND s.organisation_type = 'school' AND s.organisation = \(school) AND s.erased_at IS NULL
                  AND NOT EXISTS (
                      SELECT FROM vault.consents c
                      WHERE c.subject_id = s.id AND c.purpose = \(purpose) AND c.state = 'active'
                        AND c.valid_from <= \(now) AND (c.valid_until IS NULL OR c.valid_until > \(now)))
                ORDER BY s.created_at, s.token
                LIMIT \(Self.consentGapListLimit)
                """)
            let access = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            var gaps: [ConsentGap] = []
            for row in rows {
                let subject = try SubjectToken(parsing: try row.decode(String.self, at: 0))
                var attributes: [String: Value] = [
                    "pupil": .entity(EntityRef("pupil", subject.rawValue)), "school": .entity(EntityRef("school", school)),
                ]
                if let region = try row.decode(String?.self, at: 1) { attributes["region"] = .entity(EntityRef("region", region)) }
                if let refusal = try await access.permitOrAuditDenial(
                    "read", Resource(type: "consent", id: subject.rawValue, attributes: attributes), subject: subject, fields: fields,
                    purpose: Self.consentPurpose)
                {
                    return .failure(refusal)
                }
                let state = try row.decode(String?.self, at: 2)
                let notYetValid = try row.decode(Bool?.self, at: 3) ?? false
                gaps.append(ConsentGap(subject: subject, status: Self.gapStatus(state: state, notYetValid: notYetValid)))
            }
            let audit = ReadAudit(requester: requester, purpose: Self.consentPurpose, requested: fields, policyVersion: policySet.version)
            try await access.audit(gaps.map { audit.event($0.subject.rawValue, returned: fields) as any TypedAuditEvent })
            return .success(gaps)
        }
        return try outcome.get()
    }

    /// What became of a pupil's newest consent for the purpose, when none is in force: its state,
    /// or for an `active` one `not_yet_valid` (its `valid_from` is ahead) or `expired`.
    static func gapStatus(state: String?, notYetValid: Bool) -> String {
        guard let state else { return "none" }
        guard state == "active" else { return state }
        return notYetValid ? "not_yet_valid" : "expired"
    }
}
