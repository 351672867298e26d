import Audit
import Foundation
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// Records a consent through the one door: the policy decides `create` on the consent (for
    /// `consent_management`), the record is checked against the rules (see ``ConsentTerms``), the
    /// `consent.changed` record (`granted`) is appended, then the consent and its scan are written.
    /// A staff member's own electronic consent is accepted from that staff member only.
    ///
    /// - Throws: ``VaultError/Code/invalidConsent``, ``VaultError/Code/documentRejected``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/unknownSubject``,
    ///   ``VaultError/Code/subjectErased``, ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``.
    public func recordConsent(_ terms: ConsentTerms, scan: ConsentScan? = nil, by requester: Requester) async throws(VaultError) -> ConsentRecord {
        try await writeConsent(terms, scan: scan, amending: nil, by: requester)
    }

    /// Records a new version of a consent (new terms, a corrected scan); the active version becomes
    /// superseded. Audited as `consent.changed` (`amended`).
    ///
    /// - Throws: as ``recordConsent(_:scan:by:)``, and ``VaultError/Code/unknownConsent``,
    ///   ``VaultError/Code/consentNotActive``.
    public func amendConsent(_ token: ConsentToken, with terms: ConsentTerms, scan: ConsentScan? = nil, by requester: Requester) async throws(VaultError) -> ConsentRecord {
        try await writeConsent(terms, scan: scan, amending: token, by: requester)
    }

    private func writeConsent(_ terms: ConsentTerms, scan: ConsentScan?, amending: ConsentToken?, by requester: Requester) async throws(VaultError) -> ConsentRecord {
        let ring = try keys()
        try checkRequest(requester: requester, purpose: Self.consentPurpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<ConsentRecord, VaultError> = try await withTransaction { connection in
            try await self.writeConsent(
                terms, scan: scan, amending: amending, requester: requester, policySet: policySet, at: now, ring: ring, on: connection)
        }
        return try outcome.get()
    }

    /// ``recordConsent(_:scan:by:)`` and ``amendConsent(_:with:scan:by:)`` in the caller's
    /// transaction: a policy refusal is audited on `connection` and returned.
    func writeConsent(
        _ terms: ConsentTerms, scan: ConsentScan?, amending: ConsentToken?, requester: Requester, policySet: PolicySet, at now: Date,
        ring: KeyRing, on connection: PostgresConnection
    ) async throws(VaultError) -> Result<ConsentRecord, VaultError> {
        var series: UUID?
        if let amending {
            let previous = try await lockedConsent(amending, on: connection)
            guard previous.state == "active" else { throw VaultError(.consentNotActive, reason: "only an active consent can be amended") }
            guard previous.subject.token == terms.subject, previous.purpose == terms.purpose else {
                throw VaultError(.invalidConsent, reason: "an amendment keeps the subject and the purpose")
            }
            series = previous.series
        }
        let prepared = try await prepareConsent(terms, scan: scan, ring: ring, on: connection)
        let fields = scan == nil ? ["scope", "status", "signed_on"] : ["scope", "status", "signed_on", "document"]
        if let refusal = try await consentPolicy(
            prepared.subject, action: amending == nil ? "create" : "update", fields: fields, requester: requester,
            policySet: policySet, at: now, on: connection)
        {
            return .failure(refusal)
        }
        let record = try await insertConsent(
            prepared, scan: scan, series: series, recordedBy: requester.actor, ring: ring, on: connection)
        let givenBy = prepared.givenBy + (terms.subjectAlsoConsented && prepared.givenBy != "self" ? "_and_pupil" : "")
        try await auditConsent(
            record.token, subject: prepared.subject, change: amending == nil ? "granted" : "amended", purposes: [terms.purpose],
            givenBy: givenBy, requester: requester, on: connection)
        return .success(record)
    }

    /// Withdraws a consent: processing for its purpose stops at once (the one door finds no active
    /// consent), the 30-day destruction deadline of what it alone covered is scheduled, and
    /// `consent.changed` (`withdrawn`) is appended.
    ///
    /// - Returns: the deadline scheduled, if any.
    /// - Throws: ``VaultError/Code/unknownConsent``, ``VaultError/Code/consentNotActive``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``.
    @discardableResult
    public func withdrawConsent(_ token: ConsentToken, by requester: Requester) async throws(VaultError) -> DestructionDeadline? {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.consentPurpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<DestructionDeadline?, VaultError> = try await withTransaction { connection in
            let consent = try await self.lockedConsent(token, on: connection)
            guard consent.state == "active" else { throw VaultError(.consentNotActive, reason: "the consent is not active") }
            if let refusal = try await self.consentPolicy(
                consent.subject, action: "update", fields: ["status"], requester: requester, policySet: policySet, at: now,
                on: connection)
            {
                return .failure(refusal)
            }
            try await self.auditConsent(
                token, subject: consent.subject, change: "withdrawn", purposes: [consent.purpose], givenBy: consent.givenBy,
                requester: requester, on: connection)
            return .success(
                try await self.endConsent(
                    id: consent.id, subject: consent.subject, fields: consent.fields, state: .withdrawn, by: requester.actor,
                    at: now, on: connection))
        }
        return try outcome.get()
    }

    /// The subject's consent records (terms, states, scan digests; no personal data values), newest
    /// first, if the policy lets the requester read consents (`consent_management`).
    ///
    /// The records still reveal who the guardians are, the dates and whether health data is
    /// covered, so a successful read is audited like any read of personal data: `pii.read`
    /// (permit) naming the subject, the consent fields asked for and returned, and the policy
    /// set, appended in the read's transaction before anything is returned; if it cannot be
    /// written nothing is returned. A refusal is audited as `policy.decided` (deny).
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/unknownSubject``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``,
    ///   ``VaultError/Code/storage``.
    public func consents(of subject: SubjectToken, by requester: Requester) async throws(VaultError) -> [ConsentRecord] {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.consentPurpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<[ConsentRecord], VaultError> = try await withTransaction { connection in
            let record = try await self.liveSubject(subject, on: connection)
            if let refusal = try await self.consentPolicy(
                record, action: "read", fields: Self.consentReadFields, requester: requester, policySet: policySet,
                at: now, on: connection)
            {
                return .failure(refusal)
            }
            let records = try await self.consentRecords(of: record, on: connection)
            let audit = ReadAudit(
                requester: requester, purpose: Self.consentPurpose, requested: Self.consentReadFields, policyVersion: policySet.version)
            try await self.appendAudit(audit.event(record.token.rawValue, returned: Self.consentReadFields), on: connection)
            return .success(records)
        }
        return try outcome.get()
    }

    /// The consent fields ``consents(of:by:)`` asks the policy for and records as read.
    static let consentReadFields = ["scope", "status", "signed_on"]

    /// The purpose consents are managed for.
    static let consentPurpose = "consent_management"

    /// The policy's answer on a consent of `subject` (a consent resource carries the pupil, school
    /// and region); a staff member may manage only their own consent. Nil when allowed; a refusal
    /// is audited (`policy.decided`, deny) before it is returned.
    func consentPolicy(
        _ subject: SubjectRecord, action: String, fields: [String], requester: Requester, policySet: PolicySet, at now: Date,
        on connection: PostgresConnection
    ) async throws(VaultError) -> VaultError? {
        if subject.kind == .staff {
            guard let userRef = subject.userRef, requester.principal.attributes["user"] == .entity(EntityRef("user", userRef)) else {
                let refusal = VaultError(.policyDenied, reason: "a staff member's consent is given by that staff member")
                try await accessGuard(requester, policySet: policySet, at: now, on: connection).auditDenial(
                    subject: subject.token, action: action, resource: "consent", fields: fields, purpose: Self.consentPurpose, rule: nil)
                return refusal
            }
            return nil
        }
        var attributes: [String: Value] = [:]
        if let region = subject.region { attributes["region"] = .entity(EntityRef("region", region)) }
        if let school = subject.organisation { attributes["school"] = .entity(EntityRef("school", school)) }
        let pupil = subject.kind == .pupil ? subject.token : subject.pupilToken
        if let pupil { attributes["pupil"] = .entity(EntityRef("pupil", pupil.rawValue)) }
        return try await accessGuard(requester, policySet: policySet, at: now, on: connection).permitOrAuditDenial(
            action, Resource(type: "consent", id: subject.token.rawValue, attributes: attributes), subject: subject.token, fields: fields,
            purpose: Self.consentPurpose)
    }

    func auditConsent(
        _ token: ConsentToken, subject: SubjectRecord, change: String, purposes: [String], givenBy: String, requester: Requester,
        on connection: PostgresConnection
    ) async throws(VaultError) {
        try await appendAudit(
            ConsentChanged(
                actor: requester.actor, subject: subject.token.rawValue, consent: token.rawValue, change: change, purposes: purposes,
                givenBy: givenBy
            ).event,
            on: connection)
    }
}
