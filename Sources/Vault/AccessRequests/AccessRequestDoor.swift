import Audit
import Foundation
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// The purpose whose reads answer a registered subject-access request: every read for it must
    /// cite an open request for the subject read.
    public static let accessRequestPurpose = "parent_request"

    /// Registers a guardian's request to see a pupil's data (152-FZ art. 14), received on
    /// `receivedOn` (`YYYY-MM-DD`, not in the future). The policy decides `create` on the pupil's
    /// `access_request` for `parent_request`; the register entry gets a fresh reference and the
    /// legal deadline (ten working days, ``AccessRequestDeadline``). Audited as
    /// `access_request.handled` (`register`): permit with the reference, or deny with the code.
    ///
    /// - Throws: ``VaultError/Code/invalidValue`` (a malformed or future date),
    ///   ``VaultError/Code/invalidRequest`` (not a pupil), ``VaultError/Code/unknownSubject``,
    ///   ``VaultError/Code/subjectErased``, ``VaultError/Code/policyDenied``, ``VaultError/Code/sealed``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func registerAccessRequest(
        for subject: SubjectToken, receivedOn: String, requesterKind: AccessRequesterKind = .guardian, by requester: Requester
    ) async throws(VaultError) -> SubjectAccessRequest {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.accessRequestPurpose)
        let now = clock.now
        // "Not in the future" in the school's own time zone: Russia spans UTC+2 to UTC+12, so the
        // latest local date anywhere is allowed (UTC + 14 h), never a later one.
        guard let received = CivilDate(iso: receivedOn), received <= CivilDate(now.addingTimeInterval(14 * 3_600)) else {
            throw VaultError(.invalidValue, reason: "the day received is a past or present date, YYYY-MM-DD")
        }
        let reference = try Self.mint { (entropy) throws(TokenError) in try AccessRequestToken(entropy: entropy) }
        let deadline = AccessRequestDeadline.deadline(receivedOn: received)
        let policySet = policies.current
        let outcome: Result<SubjectAccessRequest, VaultError> = try await withTransaction { connection in
            let pupil = try await self.liveSubject(subject, on: connection)
            guard pupil.kind == .pupil else {
                throw VaultError(.invalidRequest, reason: "a subject-access request is registered for a pupil")
            }
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let audit = AccessRequestAudit(requester: requester, subject: pupil.token, policyVersion: policySet.version)
            if let refusal = await Self.accessRequestPolicy(pupil, action: "create", guard: guarded) {
                try await guarded.audit(audit.event("register", refusal: refusal))
                return .failure(refusal)
            }
            try await connection.execute(
                """
                INSERT INTO vault.access_requests (
                    id, reference, subject_id, received_on, requester_kind, status, legal_deadline, created_by, created_at)
                VALUES (\(UUID()), \(reference.rawValue), \(pupil.id), CAST(\(received.iso) AS date), \(requesterKind.rawValue), 'open',
                        CAST(\(deadline.iso) AS date), \(requester.actor), \(now))
                """)
            try await guarded.audit(audit.event("register", request: reference))
            return .success(
                SubjectAccessRequest(
                    reference: reference, subject: pupil.token, receivedOn: received.iso, requesterKind: requesterKind, status: .open,
                    legalDeadline: deadline.iso, createdBy: requester.actor, createdAt: now, answeredAt: nil, answeredBy: nil))
        }
        return try outcome.get()
    }

    /// The subject-access requests registered for a pupil, newest first, if the policy allows
    /// `read` on the pupil's `access_request` for `parent_request`. Audited as
    /// `access_request.handled` (`list`, with the number listed), or deny with the code.
    ///
    /// - Throws: ``VaultError/Code/unknownSubject``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func accessRequests(of subject: SubjectToken, by requester: Requester) async throws(VaultError) -> [SubjectAccessRequest] {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.accessRequestPurpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<[SubjectAccessRequest], VaultError> = try await withTransaction { connection in
            let pupil = try await self.liveSubject(subject, on: connection)
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let audit = AccessRequestAudit(requester: requester, subject: pupil.token, policyVersion: policySet.version)
            if let refusal = await Self.accessRequestPolicy(pupil, action: "read", guard: guarded) {
                try await guarded.audit(audit.event("list", refusal: refusal))
                return .failure(refusal)
            }
            let rows = try await connection.query(
                """
                SELECT r.reference, s.token, to_char(r.received_on, 'YYYY-MM-DD'), r.requester_kind, r.status,
                       to_char(r.legal_deadline, 'YYYY-MM-DD'), r.created_by, r.created_at, r.answered_at, r.answered_by
                FROM vault.access_requests r JOIN vault.subjects s ON s.id = r.subject_id
                WHERE r.subject_id = \(pupil.id) ORDER BY r.created_at DESC, r.reference
                """)
            let requests = try rows.map(Self.accessRequest(row:))
            try await guarded.audit(audit.event("list", count: requests.count))
            return .success(requests)
        }
        return try outcome.get()
    }

    /// Marks an open subject-access request answered (closed): from then on no read can cite it.
    /// The policy decides `update` on the pupil's `access_request` for `parent_request`. Audited as
    /// `access_request.handled` (`answer`): permit, or deny with the code (a request answered
    /// already: ``VaultError/Code/accessRequestAnswered``).
    ///
    /// - Throws: ``VaultError/Code/accessRequestUnknown``, ``VaultError/Code/accessRequestAnswered``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func answerAccessRequest(_ reference: AccessRequestToken, by requester: Requester) async throws(VaultError) -> SubjectAccessRequest {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.accessRequestPurpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<SubjectAccessRequest, VaultError> = try await withTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT r.reference, s.token, to_char(r.received_on, 'YYYY-MM-DD'), r.requester_kind, r.status,
                       to_char(r.legal_deadline, 'YYYY-MM-DD'), r.created_by, r.created_at, r.answered_at, r.answered_by, r.subject_id
                FROM vault.access_requests r JOIN vault.subjects s ON s.id = r.subject_id
                WHERE r.reference = \(reference.rawValue) FOR UPDATE OF r
                """)
            guard let row = rows.first else { throw VaultError(.accessRequestUnknown, reason: "no request has this reference") }
            let request = try Self.accessRequest(row: row)
            guard let pupil = try await SubjectQueries.byID(try row.decode(UUID.self, at: 10), on: connection) else {
                throw VaultError(.unknownSubject)
            }
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let audit = AccessRequestAudit(requester: requester, subject: pupil.token, policyVersion: policySet.version)
            var refusal = await Self.accessRequestPolicy(pupil, action: "update", guard: guarded)
            if refusal == nil, request.status != .open {
                refusal = VaultError(.accessRequestAnswered, reason: "the request was answered already")
            }
            if let refusal {
                try await guarded.audit(audit.event("answer", request: reference, refusal: refusal))
                return .failure(refusal)
            }
            try await connection.execute(
                """
                UPDATE vault.access_requests SET status = 'answered', answered_at = \(now), answered_by = \(requester.actor)
                WHERE reference = \(reference.rawValue)
                """)
            try await guarded.audit(audit.event("answer", request: reference))
            return .success(
                SubjectAccessRequest(
                    reference: request.reference, subject: request.subject, receivedOn: request.receivedOn,
                    requesterKind: request.requesterKind, status: .answered, legalDeadline: request.legalDeadline,
                    createdBy: request.createdBy, createdAt: request.createdAt, answeredAt: now, answeredBy: requester.actor))
        }
        return try outcome.get()
    }

    // MARK: Reads citing a request

    /// Loads the request a read cites (shared lock: it cannot be answered while the read is in
    /// flight) and checks, per subject, that a `parent_request` read cites an open request for it.
    /// A request cited with another purpose is a malformed request.
    func accessRequestCheck(
        purpose: String, request: AccessRequestToken?, on connection: PostgresConnection
    ) async throws(VaultError) -> AccessRequestCheck {
        guard purpose == Self.accessRequestPurpose else {
            guard request == nil else {
                throw VaultError(.invalidRequest, reason: "a subject-access request is cited with purpose parent_request only")
            }
            return AccessRequestCheck(required: false, reference: nil, cited: nil)
        }
        guard let request else { return AccessRequestCheck(required: true, reference: nil, cited: nil) }
        do {
            let rows = try await connection.query(
                "SELECT subject_id, status FROM vault.access_requests WHERE reference = \(request.rawValue) FOR SHARE")
            let cited = try rows.first.map { (subject: try $0.decode(UUID.self, at: 0), open: try $0.decode(String.self, at: 1) == "open") }
            return AccessRequestCheck(required: true, reference: request, cited: cited)
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    // MARK: Policy and audit

    /// The policy's answer on `action` of `pupil`'s subject-access requests: nil when allowed.
    private static func accessRequestPolicy(_ pupil: SubjectRecord, action: String, guard guarded: AccessGuard) async -> VaultError? {
        var attributes: [String: Value] = ["pupil": .entity(EntityRef("pupil", pupil.token.rawValue))]
        if let region = pupil.region { attributes["region"] = .entity(EntityRef("region", region)) }
        if let school = pupil.organisation { attributes["school"] = .entity(EntityRef("school", school)) }
        return await guarded.refusal(
            action, Resource(type: "access_request", id: pupil.token.rawValue, attributes: attributes), purpose: accessRequestPurpose)
    }

    /// Decodes the columns of the register queries (here and in ``schoolAccessRequests(overdueOnly:by:)``),
    /// in their order: reference, token, received on, requester kind, status, legal deadline,
    /// created by, created at, answered at, answered by.
    static func accessRequest(row: Row) throws -> SubjectAccessRequest {
        guard let kind = AccessRequesterKind(rawValue: try row.decode(String.self, at: 3)),
              let status = AccessRequestStatus(rawValue: try row.decode(String.self, at: 4))
        else {
            throw VaultError(.storage, reason: "unknown requester kind or status in vault.access_requests")
        }
        return SubjectAccessRequest(
            reference: try AccessRequestToken(parsing: try row.decode(String.self, at: 0)),
            subject: try SubjectToken(parsing: try row.decode(String.self, at: 1)),
            receivedOn: try row.decode(String.self, at: 2), requesterKind: kind, status: status,
            legalDeadline: try row.decode(String.self, at: 5), createdBy: try row.decode(String.self, at: 6),
            createdAt: try row.decode(Date.self, at: 7), answeredAt: try row.decode(Date?.self, at: 8),
            answeredBy: try row.decode(String?.self, at: 9))
    }

    /// Builds the `access_request.handled` records of one operation on the register.
    private struct AccessRequestAudit {
        let requester: Requester
        let subject: SubjectToken
        let policyVersion: PolicyVersion

        func event(_ operation: String, request: AccessRequestToken? = nil, count: Int? = nil, refusal: VaultError? = nil) -> AccessRequestHandled {
            AccessRequestHandled(
                actor: requester.actor, subject: subject.rawValue, decision: refusal == nil ? .permit : .deny,
                purpose: Vault.accessRequestPurpose, operation: operation, request: request?.rawValue, resultCount: count,
                reason: refusal?.code.rawValue, policyVersion: Vault.auditDigest(of: policyVersion))
        }
    }
}

/// What a read must satisfy about subject-access requests: for `parent_request`, the cited
/// request (if any was cited and found) must be open and be about the subject read (or, for a
/// guardian read, about the guardian's pupil).
struct AccessRequestCheck: Sendable {
    /// Whether the purpose needs a request.
    let required: Bool
    /// The reference cited, recorded in each read's audit record.
    let reference: AccessRequestToken?
    /// The cited request as registered: its subject and whether it is open; nil when not found.
    let cited: (subject: UUID, open: Bool)?

    /// The refusal for reading `subject`, nil when the read may go on.
    func refusal(for subject: SubjectRecord) -> VaultError? {
        guard required else { return nil }
        guard reference != nil else {
            return VaultError(.accessRequestRequired, reason: "a parent_request read cites a registered subject-access request")
        }
        guard let cited, cited.subject == subject.id || (subject.kind == .guardian && cited.subject == subject.pupilID) else {
            return VaultError(.accessRequestUnknown, reason: "no request with this reference is registered for this subject")
        }
        guard cited.open else { return VaultError(.accessRequestAnswered, reason: "the request was answered already") }
        return nil
    }
}
