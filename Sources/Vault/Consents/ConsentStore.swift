import Foundation
import GnuTLS
import PostgreSQL
import Tokens

/// A consent in force for one subject and purpose, as the one door checks it.
struct ActiveConsent: Sendable {
    let id: UUID
    let token: ConsentToken
    let fields: Set<FieldName>
    let healthData: Bool
}

/// A consent checked against its subject, ready to be written.
struct PreparedConsent: Sendable {
    let subject: SubjectRecord
    let representative: SubjectRecord?
    let givenBy: String
    let authority: AuthorityDocument?
    let terms: ConsentTerms
}

extension Vault {
    // MARK: Checking

    /// Checks consent terms against the subject, its representative and the rules:
    /// one declared purpose; fields of the subject's kind; health data only in an explicit consent
    /// of its own; a minor pupil's consent signed by a registered representative, and from 14 the
    /// pupil's own consent as well; staff consent electronically; a paper consent comes with its
    /// scan.
    ///
    /// - Throws: ``VaultError/Code/invalidConsent`` naming the rule, ``VaultError/Code/unknownSubject``,
    ///   ``VaultError/Code/subjectErased``, ``VaultError/Code/documentRejected``.
    func prepareConsent(
        _ terms: ConsentTerms, scan: ConsentScan?, ring: KeyRing, on connection: PostgresConnection
    ) async throws(VaultError) -> PreparedConsent {
        // Locked: the scan is sealed under this row's data-key version, which re-keying changes.
        let subject = try await liveSubject(terms.subject, lock: true, on: connection)
        guard policies.current.schema.purposes.contains(where: { $0.name == terms.purpose }) else {
            throw VaultError(.invalidConsent, reason: "the purpose is not declared in the policy schema")
        }
        let allowed = Set(subject.kind.fields)
        guard !terms.dataFields.isEmpty, Set(terms.dataFields).count == terms.dataFields.count else {
            throw VaultError(.invalidConsent, reason: "the list of data is empty or repeats a field")
        }
        for field in terms.dataFields where !allowed.contains(field) {
            throw VaultError(.unknownField, field: field, reason: "a \(subject.kind) has no such field")
        }
        if terms.healthData {
            guard terms.dataFields.allSatisfy(\.isSpecialCategory) else {
                throw VaultError(.invalidConsent, reason: "an explicit health-data consent lists health data only")
            }
        } else if let special = terms.dataFields.first(where: \.isSpecialCategory) {
            throw VaultError(.invalidConsent, field: special, reason: "health data needs an explicit consent of its own")
        }
        guard !terms.actions.isEmpty else { throw VaultError(.invalidConsent, reason: "no processing actions listed") }
        if let until = terms.validUntil, until <= terms.validFrom {
            throw VaultError(.invalidConsent, reason: "the term ends before it starts")
        }
        switch (terms.collection, scan) {
        case (.paper, nil) where terms.paperReference == nil:
            throw VaultError(.invalidConsent, reason: "a paper consent needs the scan of the signed form, or its number until the scan is uploaded")
        case (.electronic, .some): throw VaultError(.invalidConsent, reason: "an electronic consent has no scan")
        case (.paper, .some(let scan)): try ScanCheck.check(scan, maximumByteCount: configuration.maximumDocumentByteCount)
        case (.electronic, nil), (.paper, nil): break
        }
        if let reference = terms.paperReference,
           !(1...64).contains(reference.count) || reference.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        {
            throw VaultError(.invalidConsent, reason: "a paper form's number is 1 to 64 characters, no control characters")
        }
        if subject.kind == .staff, terms.collection != .electronic {
            throw VaultError(.invalidConsent, reason: "staff consent electronically")
        }

        var representative: SubjectRecord?
        var givenBy = "self"
        var authority: AuthorityDocument?
        var minor = false
        if subject.kind == .pupil {
            let birth = try await decrypt([.birthDate], of: [subject], ring: ring, on: connection)[subject.id]?[.birthDate]
            guard let birth, let birthDate = CivilDate(iso: birth.exposedText) else {
                throw VaultError(.invalidConsent, reason: "the pupil's birth date is needed to check who must consent")
            }
            let age = birthDate.age(on: CivilDate(terms.signedOn))
            minor = age < 18
            if age >= 14 && age < 18 && !terms.subjectAlsoConsented {
                throw VaultError(.invalidConsent, reason: "a pupil aged 14 or more consents personally as well")
            }
        }
        switch terms.signatory {
        case .subject:
            if minor { throw VaultError(.invalidConsent, reason: "a minor's consent is given by a legal representative") }
        case .representative(let token, let isParent, let document):
            guard minor else {
                throw VaultError(.invalidConsent, reason: "only a minor pupil's consent is given by a representative")
            }
            let guardian = try await liveSubject(token, on: connection)
            guard guardian.kind == .guardian, guardian.pupilID == subject.id else {
                throw VaultError(.invalidConsent, reason: "the representative is not registered as this pupil's guardian")
            }
            representative = guardian
            givenBy = isParent ? "parent" : "guardian"
            authority = document
        }
        return PreparedConsent(subject: subject, representative: representative, givenBy: givenBy, authority: authority, terms: terms)
    }

    /// The subject with `token`, refusing unknown and erased ones; with `lock`, its row is locked
    /// for the transaction (so no re-keying or erasure of it interleaves with what is sealed next).
    func liveSubject(_ token: SubjectToken, lock: Bool = false, on connection: PostgresConnection) async throws(VaultError) -> SubjectRecord {
        let found: [SubjectRecord]
        do {
            found = try await SubjectQueries.byTokens([token], on: connection, lock: lock)
        } catch {
            throw VaultError.wrapping(error)
        }
        guard let subject = found.first else { throw VaultError(.unknownSubject, reason: "no subject has this token") }
        guard !subject.isErased else { throw VaultError(.subjectErased, reason: "the subject's data was erased") }
        return subject
    }

    // MARK: Writing

    /// Writes a consent (a new series, or the next version of `series`, superseding the active
    /// version) and its scan; closes pending destruction deadlines the new consent covers again.
    func insertConsent(
        _ prepared: PreparedConsent, scan: ConsentScan?, series: UUID?, recordedBy actor: String, ring: KeyRing,
        on connection: PostgresConnection
    ) async throws(VaultError) -> ConsentRecord {
        let id = UUID()
        let token = try Self.mint { (entropy) throws(TokenError) in try ConsentToken(entropy: entropy) }
        let terms = prepared.terms
        let fields = terms.dataFields.map(\.rawValue).joined(separator: ",")
        let actions = terms.actions.map(\.rawValue).joined(separator: ",")
        let signedOn = CivilDate(terms.signedOn).iso
        var digest: [UInt8]?
        do {
            var version = 1
            if let series {
                let previous = try await connection.query(
                    "SELECT max(version) FROM vault.consents WHERE series = \(series)").singleValue(Int?.self)
                guard let previous else { throw VaultError(.unknownConsent, reason: "no consent has this token") }
                version = previous + 1
                try await connection.execute(
                    """
                    UPDATE vault.consents SET state = 'superseded', state_changed_at = now()
                    WHERE series = \(series) AND state = 'active'
                    """)
            }
            try await connection.execute(
                """
                INSERT INTO vault.consents (
                    id, token, series, version, subject_id, representative_id, given_by, subject_also_consented,
                    authority_document, operator, purpose, data_fields, actions, health_data, valid_from, valid_until,
                    withdrawal_method, signed_on, collection, state, recorded_by, paper_reference)
                VALUES (
                    \(id), \(token.rawValue), \(series ?? id), \(version), \(prepared.subject.id), \(prepared.representative?.id),
                    \(prepared.givenBy), \(terms.subjectAlsoConsented), \(prepared.authority?.rawValue),
                    \(configuration.operatorIdentifier), \(terms.purpose), string_to_array(\(fields), ','),
                    string_to_array(\(actions), ','), \(terms.healthData), \(terms.validFrom), \(terms.validUntil),
                    \(terms.withdrawalMethod.rawValue), CAST(\(signedOn) AS date), \(terms.collection.rawValue), 'active', \(actor),
                    \(terms.paperReference))
                """)
            if let scan {
                digest = try await insertScan(scan, consent: id, subject: prepared.subject, uploadedBy: actor, ring: ring, on: connection)
            }
            // A new consent gives the data it lists a basis again: deadlines it fully covers are
            // cancelled, the others shrink to the fields it does not cover.
            try await connection.execute(
                """
                UPDATE vault.destruction_deadlines SET completed_at = now(), outcome = 'cancelled_new_consent'
                WHERE subject_id = \(prepared.subject.id) AND completed_at IS NULL
                  AND fields <@ string_to_array(\(fields), ',')
                """)
            try await connection.execute(
                """
                UPDATE vault.destruction_deadlines
                SET scope = 'fields',
                    fields = ARRAY(SELECT unnest(fields) EXCEPT SELECT unnest(string_to_array(\(fields), ',')) ORDER BY 1)
                WHERE subject_id = \(prepared.subject.id) AND completed_at IS NULL
                  AND fields && string_to_array(\(fields), ',')
                """)
            return ConsentRecord(
                token: token, version: version, subject: prepared.subject.token, representative: prepared.representative?.token,
                givenBy: prepared.givenBy, subjectAlsoConsented: terms.subjectAlsoConsented, authorityDocument: prepared.authority,
                operatorIdentifier: configuration.operatorIdentifier, purpose: terms.purpose, dataFields: terms.dataFields,
                actions: terms.actions, healthData: terms.healthData, validFrom: terms.validFrom.storedPrecision,
                validUntil: terms.validUntil?.storedPrecision,
                withdrawalMethod: terms.withdrawalMethod, signedOn: signedOn, collection: terms.collection, state: .active,
                recordedBy: actor, scanSHA256: digest)
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// Seals and stores a scan under the subject's data key; returns its SHA-256.
    func insertScan(
        _ scan: ConsentScan, consent: UUID, subject: SubjectRecord, uploadedBy actor: String, ring: KeyRing,
        on connection: PostgresConnection
    ) async throws(VaultError) -> [UInt8] {
        let digest = try ScanCheck.sha256(of: scan.content)
        let documentID = UUID()
        let key = try await dataKey(of: subject, ring: ring, on: connection)
        let content = try Envelope.seal(
            scan.content, key: key,
            context: Envelope.documentContext(subject: subject.id, document: documentID, part: "content", dataKeyVersion: subject.dataKeyVersion))
        let location = try Envelope.seal(
            scan.originalLocation.utf8, key: key,
            context: Envelope.documentContext(subject: subject.id, document: documentID, part: "original_location", dataKeyVersion: subject.dataKeyVersion))
        do {
            try await connection.execute(
                """
                INSERT INTO vault.consent_documents (
                    id, consent_id, subject_id, media_type, byte_count, sha256, content, original_location, data_key_version, uploaded_by)
                VALUES (\(documentID), \(consent), \(subject.id), \(scan.mediaType.rawValue), \(scan.content.count), \(digest),
                        \(content), \(location), \(subject.dataKeyVersion), \(actor))
                """)
        } catch {
            throw VaultError.wrapping(error)
        }
        return digest
    }

    // MARK: Reading

    /// The consents of `token`, newest first, with their state now.
    func consentRecords(of subject: SubjectRecord, on connection: PostgresConnection) async throws(VaultError) -> [ConsentRecord] {
        let now = clock.now
        do {
            let rows = try await connection.query(
                """
                SELECT c.token, c.version, r.token, c.given_by, c.subject_also_consented, c.authority_document, c.operator,
                       c.purpose, array_to_string(c.data_fields, ','), array_to_string(c.actions, ','), c.health_data,
                       c.valid_from, c.valid_until, c.withdrawal_method, to_char(c.signed_on, 'YYYY-MM-DD'), c.collection,
                       c.state, c.recorded_by,
                       (SELECT d.sha256 FROM vault.consent_documents d WHERE d.consent_id = c.id ORDER BY d.uploaded_at DESC LIMIT 1)
                FROM vault.consents c LEFT JOIN vault.subjects r ON r.id = c.representative_id
                WHERE c.subject_id = \(subject.id)
                ORDER BY c.recorded_at DESC, c.version DESC
                """)
            return try rows.map { row in
                let validUntil = try row.decode(Date?.self, at: 12)
                var state = ConsentState(rawValue: try row.decode(String.self, at: 16)) ?? .expired
                if state == .active, let validUntil, validUntil <= now { state = .expired }
                return ConsentRecord(
                    token: try ConsentToken(parsing: try row.decode(String.self, at: 0)),
                    version: try row.decode(Int.self, at: 1),
                    subject: subject.token,
                    representative: try row.decode(String?.self, at: 2).map { (text: String) throws in try SubjectToken(parsing: text) },
                    givenBy: try row.decode(String.self, at: 3),
                    subjectAlsoConsented: try row.decode(Bool.self, at: 4),
                    authorityDocument: try row.decode(String?.self, at: 5).flatMap(AuthorityDocument.init(rawValue:)),
                    operatorIdentifier: try row.decode(String.self, at: 6),
                    purpose: try row.decode(String.self, at: 7),
                    dataFields: try row.decode(String.self, at: 8).split(separator: ",").map { FieldName(rawValue: String($0)) },
                    actions: try row.decode(String.self, at: 9).split(separator: ",").compactMap { ProcessingAction(rawValue: String($0)) },
                    healthData: try row.decode(Bool.self, at: 10),
                    validFrom: try row.decode(Date.self, at: 11),
                    validUntil: validUntil,
                    withdrawalMethod: WithdrawalMethod(rawValue: try row.decode(String.self, at: 13)) ?? .writtenNoticeToOperator,
                    signedOn: try row.decode(String.self, at: 14),
                    collection: ConsentCollection(rawValue: try row.decode(String.self, at: 15)) ?? .paper,
                    state: state,
                    recordedBy: try row.decode(String.self, at: 17),
                    scanSHA256: try row.decode([UInt8]?.self, at: 18))
            }
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// Active consents in force at `now` for `purpose`, by subject id.
    func activeConsents(
        for subjects: [UUID], purpose: String, at now: Date, on connection: PostgresConnection
    ) async throws(VaultError) -> [UUID: [ActiveConsent]] {
        guard !subjects.isEmpty else { return [:] }
        let ids = subjects.map(\.uuidString).joined(separator: ",")
        do {
            let rows = try await connection.query(
                """
                SELECT subject_id, id, token, array_to_string(data_fields, ','), health_data FROM vault.consents
                WHERE subject_id = ANY(CAST(string_to_array(\(ids), ',') AS uuid[])) AND purpose = \(purpose)
                  AND state = 'active' AND valid_from <= \(now) AND (valid_until IS NULL OR valid_until > \(now))
                ORDER BY recorded_at DESC
                """)
            var result: [UUID: [ActiveConsent]] = [:]
            for row in rows {
                let fields = try row.decode(String.self, at: 3).split(separator: ",").map { FieldName(rawValue: String($0)) }
                result[try row.decode(UUID.self, at: 0), default: []].append(
                    ActiveConsent(
                        id: try row.decode(UUID.self, at: 1), token: try ConsentToken(parsing: try row.decode(String.self, at: 2)),
                        fields: Set(fields), healthData: try row.decode(Bool.self, at: 4)))
            }
            return result
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// Why no consent covers `purpose` for `subject` at `now`: withdrawn, expired, or missing.
    func consentRefusal(for subject: UUID, purpose: String, at now: Date, on connection: PostgresConnection) async throws(VaultError) -> VaultError.Code {
        do {
            let rows = try await connection.query(
                """
                SELECT state, valid_until, valid_from FROM vault.consents
                WHERE subject_id = \(subject) AND purpose = \(purpose) AND state <> 'superseded'
                ORDER BY recorded_at DESC, version DESC LIMIT 1
                """)
            guard let row = rows.first else { return .consentMissing }
            switch try row.decode(String.self, at: 0) {
            case "withdrawn": return .consentWithdrawn
            case "expired": return .consentExpired
            default:
                if let until = try row.decode(Date?.self, at: 1), until <= now { return .consentExpired }
                return .consentMissing
            }
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// The consent with `token`, locked for update.
    func lockedConsent(_ token: ConsentToken, on connection: PostgresConnection) async throws(VaultError) -> (id: UUID, series: UUID, subject: SubjectRecord, state: String, validUntil: Date?, fields: [FieldName], purpose: String, givenBy: String) {
        do {
            let rows = try await connection.query(
                """
                SELECT id, series, subject_id, state, valid_until, array_to_string(data_fields, ','), purpose, given_by
                FROM vault.consents WHERE token = \(token.rawValue) FOR UPDATE
                """)
            guard let row = rows.first else { throw VaultError(.unknownConsent, reason: "no consent has this token") }
            guard let subject = try await SubjectQueries.byID(try row.decode(UUID.self, at: 2), on: connection) else {
                throw VaultError(.unknownSubject)
            }
            return (
                try row.decode(UUID.self, at: 0), try row.decode(UUID.self, at: 1), subject, try row.decode(String.self, at: 3),
                try row.decode(Date?.self, at: 4),
                try row.decode(String.self, at: 5).split(separator: ",").map { FieldName(rawValue: String($0)) },
                try row.decode(String.self, at: 6), try row.decode(String.self, at: 7)
            )
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    // MARK: Ending

    /// Marks an active consent withdrawn (or expired) and schedules the destruction of what no
    /// other active consent covers: the whole subject if nothing remains, else the uncovered
    /// fields, due ``VaultConfiguration/destructionPeriod`` from now.
    ///
    /// - Returns: the deadline scheduled, if any.
    func endConsent(
        id: UUID, subject: SubjectRecord, fields: [FieldName], state: ConsentState, by actor: String?, at now: Date,
        on connection: PostgresConnection
    ) async throws(VaultError) -> DestructionDeadline? {
        do {
            try await connection.execute(
                """
                UPDATE vault.consents SET state = \(state.rawValue), state_changed_at = \(now), withdrawn_by = \(actor)
                WHERE id = \(id)
                """)
            let remaining = try await connection.query(
                """
                SELECT array_to_string(data_fields, ',') FROM vault.consents
                WHERE subject_id = \(subject.id) AND state = 'active' AND valid_from <= \(now)
                  AND (valid_until IS NULL OR valid_until > \(now))
                """)
            let due = now.addingTimeInterval(configuration.destructionPeriod.seconds)
            let reason = state == .withdrawn ? "consent_withdrawn" : "consent_expired"
            // What is already due stays due once, with its earlier date.
            var pending = Set<FieldName>()
            var subjectPending = false
            for row in try await connection.query(
                """
                SELECT scope, array_to_string(fields, ',') FROM vault.destruction_deadlines
                WHERE subject_id = \(subject.id) AND completed_at IS NULL
                """)
            {
                if try row.decode(String.self, at: 0) == "subject" { subjectPending = true }
                for name in try row.decode(String.self, at: 1).split(separator: ",") { pending.insert(FieldName(rawValue: String(name))) }
            }
            if subjectPending { return nil }
            if remaining.isEmpty {
                return try await scheduleDestruction(
                    subject: subject, consent: id, scope: .subject, fields: subject.kind.fields, reason: reason, due: due,
                    on: connection)
            }
            var covered = Set<FieldName>()
            for row in remaining {
                for name in try row.decode(String.self, at: 0).split(separator: ",") { covered.insert(FieldName(rawValue: String(name))) }
            }
            let uncovered = fields.filter { !covered.contains($0) && !pending.contains($0) }
            guard !uncovered.isEmpty else { return nil }
            return try await scheduleDestruction(
                subject: subject, consent: id, scope: .fields, fields: uncovered, reason: reason, due: due, on: connection)
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    func scheduleDestruction(
        subject: SubjectRecord, consent: UUID?, scope: DestructionDeadline.Scope, fields: [FieldName], reason: String,
        due: Date, on connection: PostgresConnection
    ) async throws -> DestructionDeadline {
        let names = fields.map(\.rawValue).joined(separator: ",")
        let id = try await connection.query(
            """
            INSERT INTO vault.destruction_deadlines (subject_id, consent_id, scope, fields, reason, due_at)
            VALUES (\(subject.id), \(consent), \(scope.rawValue), string_to_array(\(names), ','), \(reason), \(due))
            RETURNING id
            """
        ).singleValue(Int64.self)
        return DestructionDeadline(
            id: id, subject: subject.token, kind: subject.kind, scope: scope, fields: fields, reason: reason, due: due,
            legalHold: subject.legalHold)
    }
}
