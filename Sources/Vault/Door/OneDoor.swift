import Audit
import Foundation
import Policy
import PostgreSQL
import Tokens

extension Vault {
    // MARK: Reading

    /// Reads `fields` of one subject for `purpose`: the one door.
    ///
    /// In one transaction: the policy engine decides (relationships read in that transaction);
    /// an active consent must cover the purpose (health data: its own explicit consent); the audit
    /// record (`pii.read`: fields requested and returned, the consent, the decision) is appended;
    /// only then are the fields decrypted. Each field comes back plain, masked or redacted as the
    /// policy and the consent decide. A refusal is audited and thrown; if the audit record cannot
    /// be written, nothing is returned.
    ///
    /// A read for `parent_request` answers a subject-access request: `request` must name an open
    /// request registered for the subject (``registerAccessRequest(for:receivedOn:requesterKind:by:)``;
    /// for a guardian, one about the guardian's pupil), and the audit record names it. A request is
    /// cited with that purpose only.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/unknownSubject``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/unknownField``, ``VaultError/Code/purposeNotServed``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/consentMissing``,
    ///   ``VaultError/Code/consentWithdrawn``, ``VaultError/Code/consentExpired``,
    ///   ``VaultError/Code/healthConsentMissing``, ``VaultError/Code/accessRequestRequired``,
    ///   ``VaultError/Code/accessRequestUnknown``, ``VaultError/Code/accessRequestAnswered``,
    ///   ``VaultError/Code/integrityFailure``, ``VaultError/Code/unknownKeyVersion``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func read(
        _ reference: SubjectReference, fields: [FieldName], purpose: String, request: AccessRequestToken? = nil,
        by requester: Requester
    ) async throws(VaultError) -> SubjectData {
        let outcomes = try await resolve([reference], fields: fields, purpose: purpose, request: request, requester: requester)
        switch outcomes[reference] {
        case .released(let data)?: return data
        case .refused(let error)?: throw error
        case nil: throw VaultError(.storage, reason: "no outcome for the reference")
        }
    }

    /// The batch form of ``read(_:fields:purpose:request:by:)``: the same checks per subject, in one
    /// transaction, one audit record per subject (all appended with one round trip before anything
    /// is decrypted, in the order the subjects were judged). Refusals of single subjects come back as
    /// ``ReadOutcome/refused(_:)``; a failure of the whole (sealed, audit, database) throws.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest`` (more than
    ///   ``VaultConfiguration/maximumBatchSize`` references), ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``,
    ///   ``VaultError/Code/storage``.
    public func readBatch(
        _ references: [SubjectReference], fields: [FieldName], purpose: String, request: AccessRequestToken? = nil,
        by requester: Requester
    ) async throws(VaultError) -> [SubjectReference: ReadOutcome] {
        try await resolve(references, fields: fields, purpose: purpose, request: request, requester: requester)
    }

    /// A subject after the checks: what the policy granted and the consent covers.
    private struct Grant {
        let reference: SubjectReference
        let subject: SubjectRecord
        let treatments: [FieldName: FieldTreatment]
        let covered: Set<FieldName>
        let consent: ConsentToken
        var returned: [FieldName] { treatments.keys.filter { covered.contains($0) && treatments[$0] != .denied }.sorted() }
    }

    private func resolve(
        _ references: [SubjectReference], fields: [FieldName], purpose: String, request: AccessRequestToken?, requester: Requester
    ) async throws(VaultError) -> [SubjectReference: ReadOutcome] {
        let ring = try keys()
        try checkRequest(requester: requester, purpose: purpose)
        guard !fields.isEmpty, Set(fields).count == fields.count else {
            throw VaultError(.invalidRequest, reason: "name each field once, at least one")
        }
        let unique = Array(Set(references))
        guard !unique.isEmpty, unique.count <= configuration.maximumBatchSize else {
            throw VaultError(.invalidRequest, reason: "between 1 and \(configuration.maximumBatchSize) subjects per read")
        }
        guard request == nil || purpose == Self.accessRequestPurpose else {
            throw VaultError(.invalidRequest, reason: "a subject-access request is cited with purpose parent_request only")
        }
        let now = clock.now
        let policySet = policies.current
        let names = fields.map(\.rawValue)
        return try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let access = try await self.accessRequestCheck(purpose: purpose, request: request, on: connection)
            let snapshot = try await self.snapshot(unique, fields: fields, purpose: purpose, at: now, on: connection)
            let found = snapshot.subjects
            let audit = ReadAudit(
                requester: requester, purpose: purpose, requested: names, policyVersion: policySet.version, request: request)
            var events: [PIIRead] = []
            var outcomes: [SubjectReference: ReadOutcome] = [:]
            var candidates: [(SubjectReference, SubjectRecord)] = []
            for reference in unique {
                guard let subject = found[reference] else {
                    let refusal = VaultError(.unknownSubject, reason: "no subject has this token")
                    events.append(audit.event(reference.text, refusal: refusal))
                    outcomes[reference] = .refused(refusal)
                    continue
                }
                if let refusal = Self.precheck(reference, subject: subject, fields: fields, purpose: purpose) {
                    events.append(audit.event(subject.token.rawValue, refusal: refusal))
                    outcomes[reference] = .refused(refusal)
                    continue
                }
                candidates.append((reference, subject))
            }
            let consents = snapshot.consents
            var grants: [Grant] = []
            for (reference, subject) in candidates {
                let decision = await guarded.decide("read", subject.policyResource, fields: names, purpose: purpose)
                // A parent_request read answers a registered, open request about this subject.
                if decision.isAllowed, let refusal = access.refusal(for: subject) {
                    events.append(audit.event(subject.token.rawValue, refusal: refusal))
                    outcomes[reference] = .refused(refusal)
                    continue
                }
                let outcome = try await self.judge(
                    reference, subject: subject, decision: decision, fields: fields, consents: consents[subject.id] ?? [],
                    purpose: purpose, guard: guarded)
                switch outcome {
                case .success(let grant):
                    events.append(audit.event(subject.token.rawValue, returned: grant.returned.map(\.rawValue), consent: grant.consent))
                    grants.append(grant)
                case .failure(let refusal):
                    events.append(audit.event(subject.token.rawValue, refusal: refusal))
                    outcomes[reference] = .refused(refusal)
                }
            }
            // Every record in one round trip; only then, with all of them appended, decrypt.
            try await guarded.audit(events)
            let plaintext = await self.open(grants.map { ($0.subject, $0.returned) }, prefetched: snapshot.ciphertexts, ring: ring, on: connection)
            var failures: [PIIRead] = []
            for grant in grants {
                switch plaintext[grant.subject.id] ?? .success([:]) {
                case .success(let values):
                    outcomes[grant.reference] = .released(
                        SubjectData(
                            reference: grant.reference, fields: Self.release(fields, grant: grant, values: values),
                            consent: grant.consent, policyVersion: policySet.version))
                case .failure(let error):
                    failures.append(audit.event(grant.subject.token.rawValue, refusal: error, decision: "error"))
                    outcomes[grant.reference] = .refused(error)
                }
            }
            // Subjects whose key or ciphertext failed: their error records, also in one round trip.
            try await guarded.audit(failures)
            return outcomes
        }
    }

    /// Everything the door needs about the referenced subjects, loaded by one statement before any
    /// decision: the subject rows, their active consents for the purpose, and the ciphertexts of the
    /// requested fields. Ciphertexts only: nothing is decrypted until the audit record is appended.
    struct ReadSnapshot {
        var subjects: [SubjectReference: SubjectRecord] = [:]
        var consents: [UUID: [ActiveConsent]] = [:]
        var ciphertexts: [UUID: [FieldName: (ciphertext: [UInt8], version: Int)]] = [:]
    }

    private func snapshot(
        _ references: [SubjectReference], fields: [FieldName], purpose: String, at now: Date, on connection: PostgresConnection
    ) async throws -> ReadSnapshot {
        let tokens = references.map(\.text).joined(separator: ",")
        let names = fields.map(\.rawValue).joined(separator: ",")
        let rows = try await connection.query(
            """
            SELECT s.id, s.kind, s.token, s.organisation_type, s.organisation, s.region, s.user_ref, s.pupil_id,
                   p.token, s.data_key, s.data_key_version, s.kek_version, s.erased_at, s.legal_hold,
                   r.token, c.id, c.token, array_to_string(c.data_fields, ','), c.health_data,
                   f.name, f.ciphertext, f.data_key_version
            FROM unnest(string_to_array(\(tokens), ',')) AS r(token)
            JOIN LATERAL (
                SELECT id FROM vault.subjects WHERE token = r.token
                UNION ALL SELECT subject_id FROM vault.module_tokens WHERE token = r.token
            ) AS x ON true
            JOIN vault.subjects s ON s.id = x.id
            LEFT JOIN vault.subjects p ON p.id = s.pupil_id
            LEFT JOIN vault.consents c ON c.subject_id = s.id AND c.purpose = \(purpose) AND c.state = 'active'
                 AND c.valid_from <= \(now) AND (c.valid_until IS NULL OR c.valid_until > \(now))
            LEFT JOIN vault.fields f ON f.subject_id = s.id AND s.erased_at IS NULL
                 AND f.name = ANY(string_to_array(\(names), ','))
            ORDER BY c.recorded_at DESC NULLS LAST
            """)
        var snapshot = ReadSnapshot()
        var seenConsents = Set<UUID>()
        for row in rows {
            let text = try row.decode(String.self, at: 14)
            let reference: SubjectReference = text.hasPrefix(SubjectToken.prefix + "_")
                ? .subject(try SubjectToken(parsing: text)) : .module(try ModuleToken(parsing: text))
            let subject: SubjectRecord
            if let known = snapshot.subjects[reference] {
                subject = known
            } else {
                subject = try SubjectRecord(row: row)
                snapshot.subjects[reference] = subject
            }
            if let consentID = try row.decode(UUID?.self, at: 15), seenConsents.insert(consentID).inserted {
                let fields = try row.decode(String.self, at: 17).split(separator: ",").map { FieldName(rawValue: String($0)) }
                snapshot.consents[subject.id, default: []].append(
                    ActiveConsent(
                        id: consentID, token: try ConsentToken(parsing: try row.decode(String.self, at: 16)), fields: Set(fields),
                        healthData: try row.decode(Bool.self, at: 18)))
            }
            if let name = try row.decode(String?.self, at: 19) {
                snapshot.ciphertexts[subject.id, default: [:]][FieldName(rawValue: name)] =
                    (try row.decode([UInt8].self, at: 20), try row.decode(Int.self, at: 21))
            }
        }
        return snapshot
    }

    /// Refusals that need neither the policy nor the consents: erased subjects, fields of another
    /// kind, a module token used for a purpose its module does not serve.
    private static func precheck(_ reference: SubjectReference, subject: SubjectRecord, fields: [FieldName], purpose: String) -> VaultError? {
        if subject.isErased { return VaultError(.subjectErased, reason: "the subject's data was erased") }
        let allowed = Set(subject.kind.fields)
        if let field = fields.first(where: { !allowed.contains($0) }) {
            return VaultError(.unknownField, field: field, reason: "a \(subject.kind) has no such field")
        }
        if case .module(let token) = reference, !token.module.purposes.contains(purpose) {
            return VaultError(.purposeNotServed, reason: "a \(token.module) token is not used for this purpose")
        }
        return nil
    }

    /// Policy, then consent: the grant, or the refusal.
    private func judge(
        _ reference: SubjectReference, subject: SubjectRecord, decision: Decision, fields: [FieldName], consents: [ActiveConsent],
        purpose: String, guard guarded: AccessGuard
    ) async throws(VaultError) -> Result<Grant, VaultError> {
        guard decision.isAllowed else {
            return .failure(VaultError.policyDenied(decision))
        }
        let relied: ActiveConsent
        switch try await guarded.consent(for: subject, fields: fields, purpose: purpose, active: consents, coverage: .released) {
        case .success(let consent): relied = consent
        case .failure(let refusal): return .failure(refusal)
        }
        var covered = Set<FieldName>()
        for consent in consents { covered.formUnion(consent.fields) }
        var treatments: [FieldName: FieldTreatment] = [:]
        for item in decision.fields { treatments[FieldName(rawValue: item.name)] = item.treatment }
        return .success(Grant(reference: reference, subject: subject, treatments: treatments, covered: covered, consent: relied.token))
    }

    /// The released form of each requested field.
    private static func release(_ fields: [FieldName], grant: Grant, values: [FieldName: PersonalValue]) -> [FieldName: FieldValue] {
        var result: [FieldName: FieldValue] = [:]
        for field in fields {
            guard grant.covered.contains(field) else {
                result[field] = .redacted
                continue
            }
            switch grant.treatments[field] ?? .denied {
            case .denied: result[field] = .redacted
            case .plain: result[field] = values[field].map { .plain($0) } ?? .absent
            case .masked(let mask): result[field] = values[field].map { .masked(FieldRules.mask($0, with: mask), mask) } ?? .absent
            }
        }
        return result
    }

    /// Opens the prefetched ciphertexts of each subject's released fields; a subject whose key or
    /// ciphertext fails fails alone.
    private func open(
        _ requests: [(SubjectRecord, [FieldName])], prefetched: [UUID: [FieldName: (ciphertext: [UInt8], version: Int)]],
        ring: KeyRing, on connection: PostgresConnection
    ) async -> [UUID: Result<[FieldName: PersonalValue], VaultError>] {
        var result: [UUID: Result<[FieldName: PersonalValue], VaultError>] = [:]
        for (subject, fields) in requests where !fields.isEmpty {
            do throws(VaultError) {
                let stored = prefetched[subject.id] ?? [:]
                var values: [FieldName: PersonalValue] = [:]
                if fields.contains(where: { stored[$0] != nil }) {
                    let key = try await dataKey(of: subject, ring: ring, on: connection)
                    for field in fields {
                        guard let (ciphertext, version) = stored[field] else { continue }
                        values[field] = try FieldCrypto.open(ciphertext, storedVersion: version, field: field, subject: subject, dataKey: key)
                    }
                }
                result[subject.id] = .success(values)
            } catch {
                result[subject.id] = .failure(error)
            }
        }
        return result
    }

    // MARK: Checks and audit

    /// Refuses malformed actor identifiers and undeclared purposes before anything is done (they
    /// could not be audited).
    func checkRequest(requester: Requester, purpose: String) throws(VaultError) {
        guard AuditFieldKind.identifier.accepts(.string(requester.actor)) else {
            throw VaultError(.invalidRequest, reason: "the actor is not an identifier (scheme:rest)")
        }
        guard policies.current.schema.purposes.contains(where: { $0.name == purpose }) else {
            throw VaultError(.invalidRequest, reason: "the purpose is not declared in the policy schema")
        }
    }

    /// Builds the `pii.read` records of one read: who asked, for what, which fields, the policy
    /// set that decided, and the subject-access request a `parent_request` read cited.
    struct ReadAudit {
        let requester: Requester
        let purpose: String
        let requested: [String]
        let policyVersion: PolicyVersion
        var request: AccessRequestToken? = nil

        /// The record for `subject`: permitted with the fields returned and the consent relied on,
        /// or refused (`deny`, or `decision`) with the refusal's code.
        func event(
            _ subject: String, returned: [String] = [], consent: ConsentToken? = nil, refusal: VaultError? = nil, decision: String? = nil
        ) -> PIIRead {
            PIIRead(
                actor: requester.actor, subject: subject,
                decision: decision.flatMap(AuditDecision.init(rawValue:)) ?? (refusal == nil ? .permit : .deny), purpose: purpose,
                fieldsRequested: requested, fieldsReturned: returned, consent: consent?.rawValue, reason: refusal?.code.rawValue,
                policyVersion: Vault.auditDigest(of: policyVersion), request: request?.rawValue)
        }
    }

    /// The policy version as the audit catalogue's `policy_version` records it (a SHA-256 digest),
    /// or nil for a set hashed otherwise.
    static func auditDigest(of version: PolicyVersion) -> String? {
        version.algorithm == "sha256" ? version.digest : nil
    }

    /// Appends an audit event in the caller's transaction; any failure fails the operation.
    func appendAudit(_ event: AuditEvent, on connection: PostgresConnection) async throws(VaultError) {
        try await appendAudit([event], on: connection)
    }

    /// Appends `events`, in order, in the caller's transaction with one round trip (nothing for
    /// none); any failure fails the operation and writes none of them.
    ///
    /// - Throws: ``VaultError/Code/auditUnavailable`` when the audit store did not answer in time
    ///   or cannot be reached (``AuditError/Code/unavailable``); ``VaultError/Code/auditFailed``
    ///   for every other audit failure.
    func appendAudit(_ events: [AuditEvent], on connection: PostgresConnection) async throws(VaultError) {
        do {
            try await audit.append(contentsOf: events, on: connection)
        } catch {
            throw VaultError(error.code == .unavailable ? .auditUnavailable : .auditFailed, reason: error.description)
        }
    }
}
