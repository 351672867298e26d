import Audit
import Foundation
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// Starts the transfer of `pupil` to the school `toSchool` (`77-5678`, any school of the
    /// platform). In one transaction: the policy decides `update` of the pupil's `school` for
    /// `enrolment` as `requester` (the sending school, for its own pupil); the pupil must have no
    /// transfer waiting; the transfer is recorded and `pupil.transferred` (`request`) appended. A
    /// refusal is audited (`pupil.transferred`, deny) and thrown. The pupil stays the sending
    /// school's until the receiving school accepts.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest`` (a malformed school
    ///   id, or the pupil's own school), ``VaultError/Code/unknownSubject``,
    ///   ``VaultError/Code/subjectErased``, ``VaultError/Code/policyDenied``,
    ///   ``VaultError/Code/transferConflict``, ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func requestTransfer(of pupil: SubjectToken, to toSchool: String, by requester: Requester) async throws(VaultError) -> TransferToken {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.enrolmentPurpose)
        guard BatchSQL.isSchoolID(toSchool) else { throw VaultError(.invalidRequest, reason: "the school is named by its id, 77-5678") }
        let now = clock.now
        let policySet = policies.current
        let reference = try Self.mint { (entropy) throws(TokenError) in try TransferToken(entropy: entropy) }
        let outcome: Result<TransferToken, VaultError> = try await withTransaction { connection in
            let subject = try await self.liveSubject(pupil, lock: true, on: connection)
            let access = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            var audit = PupilTransferred(
                actor: requester.actor, subject: pupil.rawValue, decision: .permit, purpose: Self.enrolmentPurpose,
                operation: .request, policyVersion: Self.auditDigest(of: policySet.version))
            let decision = await access.decide("update", subject.policyResource, fields: ["school"], purpose: Self.enrolmentPurpose)
            var refusal: VaultError?
            if subject.kind != .pupil || !decision.isAllowed {
                refusal = VaultError.policyDenied(decision)
            } else if subject.organisation == toSchool {
                refusal = VaultError(.invalidRequest, reason: "the pupil is at that school already")
            } else if try await Self.hasPendingTransfer(subject.id, on: connection) {
                refusal = VaultError(.transferConflict, reason: "the pupil has a transfer waiting already")
            }
            if let refusal {
                audit.decision = .deny
                audit.reason = refusal.code.rawValue
                try await access.audit(audit)
                return .failure(refusal)
            }
            guard let fromSchool = subject.organisation, let fromRegion = subject.region else {
                throw VaultError(.storage, reason: "a pupil without a school")
            }
            try await Self.insertTransfer(
                reference, subject: subject.id, from: (fromSchool, fromRegion), to: toSchool, by: requester.actor, at: now,
                on: connection)
            audit.transfer = reference.rawValue
            audit.fromSchool = "school:\(fromSchool)"
            audit.toSchool = "school:\(toSchool)"
            try await access.audit(audit)
            return .success(reference)
        }
        return try outcome.get()
    }

    /// The transfers waiting for the requester's school, oldest first. The requester must be a
    /// school the policy lets register pupils (`create` of a pupil of its own school, for
    /// `enrolment`); the list holds tokens, school ids and times only.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/storage``.
    public func incomingTransfers(by requester: Requester) async throws(VaultError) -> [PendingTransfer] {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.enrolmentPurpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<[PendingTransfer], VaultError> = try await withTransaction { connection in
            let access = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            guard let (school, _) = await Self.receivingSchool(access) else {
                return .failure(VaultError(.policyDenied, reason: "policy: only a school receives transfers"))
            }
            let rows = try await connection.query(
                """
                SELECT t.reference, s.token, t.from_school, t.requested_at
                FROM vault.transfers t JOIN vault.subjects s ON s.id = t.subject_id
                WHERE t.to_school = \(school) AND t.status = 'pending' AND s.erased_at IS NULL
                ORDER BY t.requested_at, t.reference
                """)
            return .success(
                try rows.map { row in
                    PendingTransfer(
                        reference: try TransferToken(parsing: try row.decode(String.self, at: 0)),
                        pupil: try SubjectToken(parsing: try row.decode(String.self, at: 1)),
                        fromSchool: try row.decode(String.self, at: 2), requestedAt: try row.decode(Date.self, at: 3))
                })
        }
        return try outcome.get()
    }

    /// Accepts the transfer `reference` into the requester's school. In one transaction: the
    /// transfer must be waiting for this school (anything else, a transfer to another school
    /// included, is ``VaultError/Code/unknownTransfer``); the policy decides `update` of the
    /// pupil's `school` as the pupil will be (at the receiving school); then the pupil's and its
    /// guardians' school and region change, the transfer is marked accepted, and
    /// `pupil.transferred` (`accept`) is appended. From the commit on, the sending school's
    /// requests about the pupil are refused like those about an unknown token.
    ///
    /// - Returns: the pupil's token (unchanged).
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/unknownTransfer``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func acceptTransfer(_ reference: TransferToken, by requester: Requester) async throws(VaultError) -> SubjectToken {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.enrolmentPurpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<SubjectToken, VaultError> = try await withTransaction { connection in
            let access = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            guard let (school, region) = await Self.receivingSchool(access) else {
                return .failure(VaultError(.unknownTransfer, reason: "no transfer with this reference waits for this school"))
            }
            let rows = try await connection.query(
                """
                SELECT t.subject_id, t.from_school, t.status FROM vault.transfers t
                WHERE t.reference = \(reference.rawValue) AND t.to_school = \(school)
                FOR UPDATE OF t
                """)
            guard let row = rows.first else {
                return .failure(VaultError(.unknownTransfer, reason: "no transfer with this reference waits for this school"))
            }
            guard let found = try await SubjectQueries.byID(try row.decode(UUID.self, at: 0), on: connection) else {
                throw VaultError(.storage, reason: "a transfer without its pupil")
            }
            let subject = try await self.liveSubject(found.token, lock: true, on: connection)
            let fromSchool = try row.decode(String.self, at: 1)
            var audit = PupilTransferred(
                actor: requester.actor, subject: subject.token.rawValue, decision: .permit, purpose: Self.enrolmentPurpose,
                operation: .accept, transfer: reference.rawValue, fromSchool: "school:\(fromSchool)", toSchool: "school:\(school)",
                policyVersion: Self.auditDigest(of: policySet.version))
            let arriving = SubjectKind.pupil.policyResource(
                token: subject.token, organisationType: "school", organisation: school, region: region, user: nil, pupil: nil)
            let decision = await access.decide("update", arriving, fields: ["school"], purpose: Self.enrolmentPurpose)
            var refusal: VaultError?
            if try row.decode(String.self, at: 2) != "pending" {
                refusal = VaultError(.transferConflict, reason: "the transfer was accepted already")
            } else if !decision.isAllowed {
                refusal = VaultError.policyDenied(decision)
            }
            if let refusal {
                audit.decision = .deny
                audit.reason = refusal.code.rawValue
                try await access.audit(audit)
                return .failure(refusal)
            }
            try await access.audit(audit)
            try await connection.execute(
                """
                UPDATE vault.subjects SET organisation = \(school), region = \(region)
                WHERE (id = \(subject.id) OR pupil_id = \(subject.id)) AND organisation_type = 'school'
                """)
            try await connection.execute(
                """
                UPDATE vault.transfers SET status = 'accepted', accepted_by = \(requester.actor), accepted_at = \(now)
                WHERE reference = \(reference.rawValue)
                """)
            return .success(subject.token)
        }
        return try outcome.get()
    }

    /// The requester's school and region, if the policy lets it register pupils into its own school
    /// (the question every receiving school must pass, asked through the requester's `access`
    /// guard); nil otherwise.
    private static func receivingSchool(_ access: AccessGuard) async -> (school: String, region: String)? {
        let requester = access.requester
        guard case .entity(let organisation)? = requester.principal.attributes["organisation"], organisation.type == "school",
              case .entity(let region)? = requester.principal.attributes["region"], BatchSQL.isSchoolID(organisation.id)
        else { return nil }
        let probe = SubjectKind.pupil.policyResource(
            token: SubjectToken(uncheckedRawValue: "sub_receiving"), organisationType: "school", organisation: organisation.id,
            region: region.id, user: nil, pupil: nil)
        let decision = await access.decide("create", probe, fields: ["school"], purpose: Self.enrolmentPurpose)
        return decision.isAllowed ? (organisation.id, region.id) : nil
    }

    private static func insertTransfer(
        _ reference: TransferToken, subject: UUID, from: (school: String, region: String), to toSchool: String, by actor: String,
        at now: Date, on connection: PostgresConnection
    ) async throws(VaultError) {
        do {
            try await connection.execute(
                """
                INSERT INTO vault.transfers (id, reference, subject_id, from_school, from_region, to_school, status,
                                             requested_by, requested_at)
                VALUES (\(UUID()), \(reference.rawValue), \(subject), \(from.school), \(from.region), \(toSchool), 'pending',
                        \(actor), \(now))
                """)
        } catch where error.sqlState == .uniqueViolation {
            throw VaultError(.transferConflict, reason: "the pupil has a transfer waiting already")
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    private static func hasPendingTransfer(_ subject: UUID, on connection: PostgresConnection) async throws(VaultError) -> Bool {
        do {
            return try await connection.query(
                "SELECT count(*) FROM vault.transfers WHERE subject_id = \(subject) AND status = 'pending'"
            ).singleValue(Int.self) > 0
        } catch {
            throw VaultError.wrapping(error)
        }
    }
}
