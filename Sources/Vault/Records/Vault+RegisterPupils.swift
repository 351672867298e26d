import Audit
import Foundation
import GnuTLS
import Policy
import PostgreSQL
import Tokens

extension Vault {
    /// The most rows one batch registration takes.
    public static let maximumBatchRegistration = 10_000
    /// Rows whose policy questions are decided between two statements of the batch's transaction.
    static let decisionsBetweenStatements = 100

    /// Registers a school's pupils in bulk, each with the guardian who signed the paper consent and
    /// the consent's reference (number and date; the scan is attached later), all or nothing, in
    /// ONE database transaction.
    ///
    /// Everything is checked before anything is written: every value (``FieldRules``), the consent
    /// (signed on a past or present day, not before the pupil's birth, the pupil a minor then: a
    /// representative signs; from 14 the pupil signs as well, which the school's form carries),
    /// duplicates within the batch and against the school's registered pupils (blind indexes), and
    /// the policy's `create` on every pupil (`enrolment`), guardian and consent
    /// (`consent_management`) as `requester`. Any row problem refuses the whole batch with every
    /// problem found (``PupilBatchOutcome/refused(_:)``; nothing stored, nothing audited but the
    /// refusal). A policy denial refuses it with ``VaultError/Code/policyDenied`` (audited).
    ///
    /// Then, in chunks (so no statement runs long and the transaction is never idle for long): a
    /// data key per subject wrapped by the current KEK (held FOR SHARE, so no rotation interleaves),
    /// the sealed fields, pairwise tokens, blind indexes, and the consent (`enrolment`, paper, the
    /// form number, no scan yet), with one `pii.written` per pupil and guardian and one
    /// `consent.changed` (`granted`) per consent appended in batches, and one `pupils.imported`.
    ///
    /// Duplicates as for a single registration: a pupil the school holds already refuses the batch
    /// (audited as `pupil.duplicate_probed`, deny); one matching another school's pupil is
    /// registered, flagged (its SNILS index row shared) and a case opened in the duplicate register
    /// for the region's coordinator (`pupil.duplicate_probed`, permit), unseen by the school.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest`` (no rows, more than
    ///   ``maximumBatchRegistration``), ``VaultError/Code/policyDenied``, ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func registerPupils(
        _ entries: [PupilBatchEntry], school: String, region: String, by requester: Requester
    ) async throws(VaultError) -> PupilBatchOutcome {
        let ring = try keys()
        try checkRequest(requester: requester, purpose: Self.enrolmentPurpose)
        guard (1...Self.maximumBatchRegistration).contains(entries.count) else {
            throw VaultError(.invalidRequest, reason: "between 1 and \(Self.maximumBatchRegistration) rows per batch")
        }
        guard BatchSQL.isSchoolID(school), BatchSQL.isRegionCode(region) else {
            throw VaultError(.invalidRequest, reason: "a school id and a region code are needed")
        }
        let now = clock.now
        let policySet = policies.current
        // 1. Values, consents, duplicates within the batch: no database needed.
        var rows: [BatchRow] = []
        var issues: [PupilBatchIssue] = []
        rows.reserveCapacity(entries.count)
        let declaredPurposes = Set(policySet.schema.purposes.map(\.name))
        for entry in entries {
            switch Self.check(entry, today: CivilDate(now.addingTimeInterval(14 * 3_600)), purposes: declaredPurposes) {
            case .success(let row): rows.append(row)
            case .failure(let found): issues.append(contentsOf: found.issues)
            }
        }
        guard issues.isEmpty else { return .refused(issues) }
        try Self.mintAndIndex(&rows, ring: ring)
        issues = Self.duplicatesWithinBatch(rows)
        guard issues.isEmpty else { return .refused(issues) }

        let outcome: Result<PupilBatchOutcome, VaultError> = try await withTransaction { connection in
            // The chunk statements are large: JIT-compiling their plans costs seconds (and would run
            // into the statement bound) for no gain on a few hundred rows each.
            try await BatchSQL.withoutJIT(connection)
            // 2. The policy, for every subject and consent, before anything is looked up or written.
            let access = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            var denials: [any TypedAuditEvent] = []
            for (position, row) in rows.enumerated() {
                // Deciding 30,000 questions takes a while: a statement now and then keeps the
                // transaction from counting as idle (idle_in_transaction_session_timeout).
                if position > 0, position % Self.decisionsBetweenStatements == 0 { try await BatchSQL.touch(connection) }
                let pupilResource = SubjectKind.pupil.policyResource(
                    token: row.pupilToken, organisationType: "school", organisation: school, region: region, user: nil, pupil: nil)
                let guardianResource = SubjectKind.guardian.policyResource(
                    token: row.guardianToken, organisationType: "school", organisation: school, region: region, user: nil,
                    pupil: row.pupilToken)
                let consentResource = Resource(
                    type: "consent", id: row.pupilToken.rawValue,
                    attributes: [
                        "region": .entity(EntityRef("region", region)), "school": .entity(EntityRef("school", school)),
                        "pupil": .entity(EntityRef("pupil", row.pupilToken.rawValue)),
                    ])
                let questions: [(Resource, [String], String, String)] = [
                    (pupilResource, row.pupilFieldNames, Self.enrolmentPurpose, row.pupilToken.rawValue),
                    (guardianResource, row.guardianFieldNames, Self.consentPurpose, row.guardianToken.rawValue),
                    (consentResource, ["scope", "status", "signed_on"], Self.consentPurpose, row.pupilToken.rawValue),
                ]
                for (resource, fields, purpose, subject) in questions {
                    let decision = await access.decide("create", resource, fields: fields, purpose: purpose)
                    if !decision.isAllowed {
                        denials.append(
                            RecordsAudit.written(
                                subject: subject, requester: requester, purpose: purpose, fields: fields, refusal: .policyDenied))
                    }
                }
                if !denials.isEmpty { break }
            }
            if !denials.isEmpty {
                try await access.audit(
                    denials + [
                        PupilsImported(
                            actor: requester.actor, decision: .deny, purpose: Self.enrolmentPurpose, school: "school:\(school)",
                            rowCount: rows.count, importedCount: 0, reason: VaultError.Code.policyDenied.rawValue,
                            policyVersion: Self.auditDigest(of: policySet.version))
                    ])
                return .failure(VaultError(.policyDenied, reason: "policy: deny"))
            }

            // 3. Duplicates against the register (one statement). The school's own pupils refuse the
            // batch (audited as probes); another school's are registered, flagged and sent to the
            // region's coordinator (the duplicate register), unseen by the school.
            let matches: [String: [BatchSQL.Holder]]
            do throws(VaultError) {
                try await BatchSQL.lockDigests(rows, on: connection)
            } catch {
                throw VaultError(error.code, reason: "locking the digests: " + (error.reason ?? ""))
            }
            do throws(VaultError) {
                matches = try await BatchSQL.registeredDigests(rows, on: connection)
            } catch {
                throw VaultError(error.code, reason: "looking up duplicates: " + (error.reason ?? ""))
            }
            var probes: [any TypedAuditEvent] = []
            for index in rows.indices {
                for (kind, digest) in rows[index].indexes {
                    for match in matches[BatchSQL.key(kind, digest)] ?? [] {
                        if match.school == school {
                            issues.append(
                                PupilBatchIssue(
                                    row: rows[index].entry.row, field: kind == .snils ? FieldName.snils.rawValue : nil, part: "pupil",
                                    code: .duplicateSubject))
                            probes.append(
                                PupilDuplicateProbed(
                                    actor: requester.actor, subject: nil, purpose: Self.enrolmentPurpose, matchedOn: kind.rawValue,
                                    outcome: .sameSchool, duplicateCase: nil))
                        } else if !rows[index].otherSchoolMatches.contains(where: { $0.subjectID == match.id }) {
                            rows[index].otherSchoolMatches.append(
                                DuplicateMatch(subjectID: match.id, school: match.school, region: match.region, kind: kind))
                        }
                    }
                }
            }
            guard issues.isEmpty else {
                try await access.audit(
                    probes + [
                        PupilsImported(
                            actor: requester.actor, decision: .deny, purpose: Self.enrolmentPurpose, school: "school:\(school)",
                            rowCount: rows.count, importedCount: 0, reason: VaultError.Code.duplicateSubject.rawValue,
                            policyVersion: Self.auditDigest(of: policySet.version))
                    ])
                return .success(.refused(issues))
            }

            // 4. Write, chunk by chunk: seal, audit, insert.
            let (kekVersion, kek) = try await self.currentKEK(ring: ring, on: connection)
            let context = BatchSQL.Context(
                school: school, region: region, actor: requester.actor, kekVersion: kekVersion,
                operatorIdentifier: self.configuration.operatorIdentifier, now: now)
            var start = rows.startIndex
            while start < rows.endIndex {
                let end = min(start + BatchSQL.chunkSize, rows.endIndex)
                let chunk = rows[start..<end]
                let sealed = try Self.seal(chunk, kek: kek, kekVersion: kekVersion)
                try await access.audit(RecordsAudit.registration(chunk, requester: requester))
                try await BatchSQL.insert(sealed, context: context, on: connection)
                try await self.flagDuplicates(chunk, school: school, region: region, access: access)
                start = end
            }
            try await access.audit(
                PupilsImported(
                    actor: requester.actor, decision: .permit, purpose: Self.enrolmentPurpose, school: "school:\(school)",
                    rowCount: rows.count, importedCount: rows.count, policyVersion: Self.auditDigest(of: policySet.version)))
            return .success(.registered(rows.map(\.pupilToken)))
        }
        return try outcome.get()
    }

    /// Opens a duplicate case for each other-school match of the chunk's pupils (registered
    /// already, flagged) and appends their `pupil.duplicate_probed` (permit) records through the
    /// batch's `access` guard, in its transaction.
    private func flagDuplicates(
        _ chunk: ArraySlice<BatchRow>, school: String, region: String, access: AccessGuard
    ) async throws(VaultError) {
        let requester = access.requester
        var probes: [any TypedAuditEvent] = []
        for row in chunk where !row.otherSchoolMatches.isEmpty {
            let prepared = PreparedRegistration(
                id: row.pupilID, token: row.pupilToken, kind: .pupil, organisationType: "school", organisation: school, region: region,
                user: nil, pupil: nil, values: [:], moduleTokens: [:], retentionUntil: nil, allowNamesake: false)
            for match in row.otherSchoolMatches {
                let reference = try await openDuplicateCase(
                    prepared, matching: match, openedBy: requester.actor, at: access.now, on: access.connection)
                probes.append(
                    PupilDuplicateProbed(
                        actor: requester.actor, subject: row.pupilToken.rawValue, purpose: Self.enrolmentPurpose,
                        matchedOn: match.kind.rawValue, outcome: .otherSchool, duplicateCase: reference.rawValue))
            }
        }
        try await access.audit(probes)
    }

    // MARK: Checking

    private struct RowIssues: Error {
        var issues: [PupilBatchIssue]
    }

    /// Normalises and checks one entry.
    private static func check(_ entry: PupilBatchEntry, today: CivilDate, purposes declared: Set<String>) -> Result<BatchRow, RowIssues> {
        var issues: [PupilBatchIssue] = []
        func normalise(_ values: [FieldName: PersonalValue], kind: SubjectKind, part: String) -> [FieldName: PersonalValue] {
            let allowed = Set(kind.fields)
            var result: [FieldName: PersonalValue] = [:]
            for (field, value) in values {
                guard allowed.contains(field) else {
                    issues.append(PupilBatchIssue(row: entry.row, field: field.rawValue, part: part, code: .unknownField))
                    continue
                }
                do {
                    result[field] = try FieldRules.normalise(value, for: field)
                } catch {
                    issues.append(PupilBatchIssue(row: entry.row, field: field.rawValue, part: part, code: error.code))
                }
            }
            for field in SubjectRegistration.requiredFields(for: kind) where values[field] == nil {
                issues.append(PupilBatchIssue(row: entry.row, field: field.rawValue, part: part, code: .missingValue))
            }
            return result
        }
        let pupil = normalise(entry.pupil, kind: .pupil, part: "pupil")
        let guardian = normalise(entry.guardian, kind: .guardian, part: "guardian")
        if entry.guardian[.phone] == nil {
            issues.append(PupilBatchIssue(row: entry.row, field: FieldName.phone.rawValue, part: "guardian", code: .missingValue))
        }
        let number = entry.consent.number.trimmingCharacters(in: .whitespaces)
        if number.isEmpty || number.count > 64 || number.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            issues.append(PupilBatchIssue(row: entry.row, field: "consent_number", part: "consent", code: .invalidValue))
        }
        let others = entry.consent.otherPurposes
        if others.count > 7 || Set(others).count != others.count || others.contains(Self.enrolmentPurpose)
            || !others.allSatisfy(declared.contains)
        {
            issues.append(PupilBatchIssue(row: entry.row, field: "consent_purposes", part: "consent", code: .invalidConsent))
        }
        var age = 0
        if let signedOn = CivilDate(iso: entry.consent.signedOn), signedOn <= today {
            if let birth = pupil[.birthDate].flatMap({ CivilDate(iso: $0.exposedText) }) {
                age = birth.age(on: signedOn)
                if signedOn < birth || age >= 18 {
                    issues.append(PupilBatchIssue(row: entry.row, field: "consent_signed_on", part: "consent", code: .invalidConsent))
                }
            }
        } else {
            issues.append(PupilBatchIssue(row: entry.row, field: "consent_signed_on", part: "consent", code: .invalidValue))
        }
        guard issues.isEmpty else { return .failure(RowIssues(issues: issues)) }
        return .success(
            BatchRow(
                entry: entry, pupil: pupil, guardian: guardian, consentNumber: number, signedOn: entry.consent.signedOn,
                pupilAlsoConsented: age >= 14))
    }

    /// Mints every token and computes the pupils' blind indexes.
    private static func mintAndIndex(_ rows: inout [BatchRow], ring: KeyRing) throws(VaultError) {
        for index in rows.indices {
            rows[index].pupilToken = try mint { (entropy) throws(TokenError) in try SubjectToken(entropy: entropy) }
            rows[index].guardianToken = try mint { (entropy) throws(TokenError) in try SubjectToken(entropy: entropy) }
            rows[index].consentToken = try mint { (entropy) throws(TokenError) in try ConsentToken(entropy: entropy) }
            for purpose in rows[index].entry.consent.otherPurposes {
                rows[index].otherConsents.append((purpose, try mint { (entropy) throws(TokenError) in try ConsentToken(entropy: entropy) }))
            }
            for module in Module.allCases.sorted(by: { $0.rawValue < $1.rawValue }) {
                rows[index].moduleTokens.append(
                    (module, try mint { (entropy) throws(TokenError) in try ModuleToken(module: module, entropy: entropy) }))
            }
            rows[index].indexes = try BlindIndex.indexes(for: .pupil, values: rows[index].pupil, key: ring.blindIndexKey)
        }
    }

    /// Rows naming the same pupil as an earlier row (same SNILS, or same name and birth date).
    private static func duplicatesWithinBatch(_ rows: [BatchRow]) -> [PupilBatchIssue] {
        var seen: [String: Int] = [:]
        var issues: [PupilBatchIssue] = []
        for row in rows {
            for (kind, digest) in row.indexes {
                let key = BatchSQL.key(kind, digest)
                if seen[key] != nil {
                    issues.append(
                        PupilBatchIssue(
                            row: row.entry.row, field: kind == .snils ? FieldName.snils.rawValue : nil, part: "pupil",
                            code: .duplicateSubject))
                    break
                }
            }
            for (kind, digest) in row.indexes { seen[BatchSQL.key(kind, digest), default: row.entry.row] = row.entry.row }
        }
        return issues
    }

    // MARK: Sealing

    /// Seals a chunk: a data key per pupil and guardian, wrapped by the KEK, and their fields.
    private static func seal(_ chunk: ArraySlice<BatchRow>, kek: SymmetricKey, kekVersion: Int) throws(VaultError) -> [SealedRow] {
        var sealed: [SealedRow] = []
        sealed.reserveCapacity(chunk.count)
        for row in chunk {
            sealed.append(
                SealedRow(
                    row: row, pupil: try sealSubject(row.pupil, id: row.pupilID, kek: kek, kekVersion: kekVersion),
                    guardian: try sealSubject(row.guardian, id: row.guardianID, kek: kek, kekVersion: kekVersion)))
        }
        return sealed
    }

    private static func sealSubject(
        _ values: [FieldName: PersonalValue], id: UUID, kek: SymmetricKey, kekVersion: Int
    ) throws(VaultError) -> SealedSubject {
        let dataKey = try Envelope.newKey()
        let wrapped = try Envelope.wrap(dataKey: dataKey, subject: id, dataKeyVersion: 1, kek: kek, kekVersion: kekVersion)
        var fields: [(FieldName, [UInt8])] = []
        for (field, value) in values.sorted(by: { $0.key < $1.key }) {
            fields.append((field, try FieldCrypto.seal(value, field: field, subject: id, dataKey: dataKey, dataKeyVersion: 1)))
        }
        return SealedSubject(id: id, wrappedKey: wrapped, fields: fields)
    }
}

/// One checked row, with its tokens and blind indexes once minted.
struct BatchRow: Sendable {
    let entry: PupilBatchEntry
    let pupil: [FieldName: PersonalValue]
    let guardian: [FieldName: PersonalValue]
    let consentNumber: String
    let signedOn: String
    let pupilAlsoConsented: Bool
    let pupilID = UUID()
    let guardianID = UUID()
    var pupilToken = SubjectToken(uncheckedRawValue: "")
    var guardianToken = SubjectToken(uncheckedRawValue: "")
    var consentToken = ConsentToken(uncheckedRawValue: "")
    /// The consent records of the form's other purposes (``PaperConsentReference/otherPurposes``).
    var otherConsents: [(purpose: String, token: ConsentToken)] = []
    /// Every consent record of the row: `enrolment` first.
    var consents: [(purpose: String, token: ConsentToken)] { [(Vault.enrolmentPurpose, consentToken)] + otherConsents }
    var moduleTokens: [(Module, ModuleToken)] = []
    var indexes: [(BlindIndex.Kind, [UInt8])] = []
    /// Pupils of other schools this pupil matched: it is registered flagged (its SNILS index row
    /// shared) and a duplicate case opened for each.
    var otherSchoolMatches: [DuplicateMatch] = []
    /// Whether the SNILS index row is shared (another school's pupil has the same SNILS).
    var sharedSnils: Bool { otherSchoolMatches.contains { $0.kind == .snils } }

    var pupilFieldNames: [String] { pupil.keys.map(\.rawValue).sorted() }
    var guardianFieldNames: [String] { guardian.keys.map(\.rawValue).sorted() }
}

/// A subject sealed for insertion.
struct SealedSubject: Sendable {
    let id: UUID
    let wrappedKey: [UInt8]
    let fields: [(FieldName, [UInt8])]
}

/// A row sealed for insertion.
struct SealedRow: Sendable {
    let row: BatchRow
    let pupil: SealedSubject
    let guardian: SealedSubject
}
