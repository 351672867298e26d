import Audit
import Foundation
import Policy
import PostgreSQL
import Tokens

extension Vault {
    /// The most requests ``schoolAccessRequests(overdueOnly:by:)`` lists at once.
    public static let accessRequestListLimit = 1_000

    /// The purpose the compliance officer oversees the subject-access register with: the
    /// register's tokens, schools, dates and deadlines, never the data held (which only
    /// ``accessRequestPurpose`` reads, citing an open request).
    public static let accessRequestOversightPurpose = "audit_review"

    /// The unanswered subject-access requests, oldest deadline first: all of them, or with
    /// `overdueOnly` those whose legal deadline (ten working days, ``AccessRequestDeadline``) has
    /// passed. A requester of a school lists its school's pupils' requests, each decided as `read`
    /// of the pupil's `access_request` for `parent_request`; any other requester (the compliance
    /// officer) lists every school's, each decided for ``accessRequestOversightPurpose``, and each
    /// listed request carries its ``SubjectAccessRequest/school``. One refused row refuses the whole
    /// list (``VaultError/Code/policyDenied``). Each pupil listed gets an `access_request.handled`
    /// (`list`) record with the purpose and the number of its requests listed, appended before
    /// anything is returned. At most ``accessRequestListLimit``.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func schoolAccessRequests(overdueOnly: Bool, by requester: Requester) async throws(VaultError) -> [SubjectAccessRequest] {
        _ = try keys()
        let ownSchool: String? =
            if case .entity(let organisation)? = requester.principal.attributes["organisation"], organisation.type == "school" {
                organisation.id
            } else {
                nil
            }
        let purpose = ownSchool == nil ? Self.accessRequestOversightPurpose : Self.accessRequestPurpose
        try checkRequest(requester: requester, purpose: purpose)
        let now = clock.now
        let today = CivilDate(now).iso
        let policySet = policies.current
        let outcome: Result<[SubjectAccessRequest], VaultError> = try await withTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT r.reference, s.token, to_char(r.received_on, 'YYYY-MM-DD'), r.requester_kind, r.status,
                       to_char(r.legal_deadline, 'YYYY-MM-DD'), r.created_by, r.created_at, r.answered_at, r.answered_by,
                       s.region, s.organisation
                FROM vault.access_requests r JOIN vault.subjects s ON s.id = r.subject_id
                WHERE s.organisation_type = 'school' AND (\(ownSchool == nil) OR s.organisation = \(ownSchool ?? ""))
                  AND r.status = 'open'
                  AND (\(!overdueOnly) OR r.legal_deadline < CAST(\(today) AS date))
                ORDER BY r.legal_deadline, r.reference
                LIMIT \(Self.accessRequestListLimit)
                """)
            var requests: [SubjectAccessRequest] = []
            var counts: [SubjectToken: Int] = [:]
            let access = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            for row in rows {
                var request = try Self.accessRequest(row: row)
                let school = try row.decode(String.self, at: 11)
                request.school = school
                var attributes: [String: Value] = [
                    "pupil": .entity(EntityRef("pupil", request.subject.rawValue)),
                    "school": .entity(EntityRef("school", school)),
                ]
                if let region = try row.decode(String?.self, at: 10) { attributes["region"] = .entity(EntityRef("region", region)) }
                if let refusal = await access.refusal(
                    "read", Resource(type: "access_request", id: request.subject.rawValue, attributes: attributes), purpose: purpose)
                {
                    return .failure(refusal)
                }
                requests.append(request)
                counts[request.subject, default: 0] += 1
            }
            let digest = Self.auditDigest(of: policySet.version)
            let events: [any TypedAuditEvent] = counts.keys.sorted().map { subject in
                AccessRequestHandled(
                    actor: requester.actor, subject: subject.rawValue, decision: .permit, purpose: purpose,
                    operation: "list", resultCount: counts[subject] ?? 0, policyVersion: digest)
            }
            try await access.audit(events)
            return .success(requests)
        }
        return try outcome.get()
    }
}
