import Audit
import Foundation
import Policy
import PostgreSQL
public import Tokens

extension Vault {
    /// Registers a new subject through the one door: the policy decides `create` on the new
    /// subject (with the fields written) for `purpose`; the `pii.written` record is appended; then
    /// the subject gets its data key, sealed fields, pairwise tokens and blind indexes.
    ///
    /// Registration needs no consent yet (the consent is recorded for the registered subject, and
    /// nothing can be read until it is). A refusal is audited and thrown.
    ///
    /// Duplicates (security review M6): a pupil whose SNILS, or (unless namesakes are allowed)
    /// normalised surname, first name and birth date, matches a live pupil of the *same* school is
    /// refused with ``VaultError/Code/duplicateSubject``, audited (`pii.written` deny and
    /// `pupil.duplicate_probed` deny). A match at *another* school is not revealed: the pupil is
    /// registered like any other, flagged, and a case opened in the duplicate register for the
    /// region's coordinator (`pupil.duplicate_probed` permit, naming the case).
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/unknownField``, ``VaultError/Code/missingValue``,
    ///   ``VaultError/Code/invalidValue``, ``VaultError/Code/duplicateSubject``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func register(_ registration: SubjectRegistration, by requester: Requester, purpose: String) async throws(VaultError) -> RegisteredSubject {
        let ring = try keys()
        try checkRequest(requester: requester, purpose: purpose)
        let now = clock.now
        let policySet = policies.current
        let outcome: Result<RegisteredSubject, VaultError> = try await withTransaction { connection in
            try await self.registerSubject(
                registration, purpose: purpose, requester: requester, policySet: policySet, at: now, ring: ring, on: connection)
        }
        return try outcome.get()
    }

    /// ``register(_:by:purpose:)`` in the caller's transaction: a refusal is audited on
    /// `connection` and returned (nothing else written), so the caller commits the audit records.
    func registerSubject(
        _ registration: SubjectRegistration, purpose: String, requester: Requester, policySet: PolicySet, at now: Date,
        ring: KeyRing, on connection: PostgresConnection
    ) async throws(VaultError) -> Result<RegisteredSubject, VaultError> {
        let prepared = try await prepare(registration, on: connection)
        let names = prepared.values.keys.map(\.rawValue).sorted()
        let written = { (decision: AuditDecision) in
            PIIWritten(
                actor: requester.actor, subject: prepared.token.rawValue, decision: decision, purpose: purpose, fieldsWritten: names,
                operation: .create)
        }
        let guarded = accessGuard(requester, policySet: policySet, at: now, on: connection)
        if let refusal = await guarded.refusal("create", prepared.policyResource, fields: names, purpose: purpose) {
            try await guarded.audit(written(.deny))
            return .failure(refusal)
        }
        let matches = try await duplicateMatches(of: prepared, ring: ring, on: connection)
        if let same = matches.first(where: { $0.school == prepared.organisation }) {
            try await guarded.audit([
                written(.deny),
                PupilDuplicateProbed(
                    actor: requester.actor, subject: nil, purpose: purpose, matchedOn: same.kind.rawValue, outcome: .sameSchool,
                    duplicateCase: nil),
            ])
            return .failure(VaultError(.duplicateSubject, reason: "a pupil of this school with the same \(same.kind.rawValue) is registered"))
        }
        try await guarded.audit(written(.permit))
        try await create(
            prepared, createdBy: requester.actor, ring: ring, duplicates: matches.isEmpty ? .refuse : .flagged(sharedSnils: matches.contains { $0.kind == .snils }),
            on: connection)
        var probes: [PupilDuplicateProbed] = []
        for match in matches {
            let reference = try await openDuplicateCase(prepared, matching: match, openedBy: requester.actor, at: now, on: connection)
            probes.append(
                PupilDuplicateProbed(
                    actor: requester.actor, subject: prepared.token.rawValue, purpose: purpose, matchedOn: match.kind.rawValue,
                    outcome: .otherSchool, duplicateCase: reference.rawValue))
        }
        try await guarded.audit(probes)
        return .success(RegisteredSubject(token: prepared.token, moduleTokens: prepared.moduleTokens))
    }

    /// Writes field values of an existing subject through the one door: policy (`update`), an
    /// active consent for `purpose` covering every field written (health data: its explicit
    /// consent), the `pii.written` record, then sealing. Blind indexes follow the new values.
    ///
    /// - Throws: as ``register(_:by:purpose:)``, and ``VaultError/Code/unknownSubject``,
    ///   ``VaultError/Code/subjectErased``, the consent codes.
    public func write(
        _ token: SubjectToken, values: [FieldName: PersonalValue], purpose: String, by requester: Requester
    ) async throws(VaultError) {
        let ring = try keys()
        try checkRequest(requester: requester, purpose: purpose)
        guard !values.isEmpty else { throw VaultError(.invalidRequest, reason: "nothing to write") }
        let now = clock.now
        let policySet = policies.current
        let names = values.keys.map(\.rawValue).sorted()
        let outcome: Result<Void, VaultError> = try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let written = { (refusal: VaultError?) in
                PIIWritten(
                    actor: requester.actor, subject: token.rawValue, decision: refusal == nil ? .permit : .deny, purpose: purpose,
                    fieldsWritten: names, operation: .update)
            }
            guard let subject = try await SubjectQueries.byTokens([token], on: connection, lock: true).first else {
                let refusal = VaultError(.unknownSubject, reason: "no subject has this token")
                try await guarded.audit(written(refusal))
                return .failure(refusal)
            }
            if let refusal = try await self.checkWrite(subject, values: values, names: names, purpose: purpose, guard: guarded) {
                try await guarded.audit(written(refusal))
                return .failure(refusal)
            }
            var normalised: [FieldName: PersonalValue] = [:]
            for (field, value) in values { normalised[field] = try FieldRules.normalise(value, for: field) }
            try await guarded.audit(written(nil))
            try await self.store(normalised, for: subject, ring: ring, on: connection)
            try await self.refreshBlindIndexes(subject, changed: Set(normalised.keys), ring: ring, purpose: purpose, guard: guarded)
            return .success(())
        }
        try outcome.get()
    }

    private func checkWrite(
        _ subject: SubjectRecord, values: [FieldName: PersonalValue], names: [String], purpose: String, guard guarded: AccessGuard
    ) async throws(VaultError) -> VaultError? {
        if subject.isErased { return VaultError(.subjectErased, reason: "the subject's data was erased") }
        // The policy first: whoever may not write this subject learns nothing of the values' checks.
        if let refusal = await guarded.refusal("update", subject.policyResource, fields: names, purpose: purpose) { return refusal }
        let allowed = Set(subject.kind.fields)
        if let field = values.keys.first(where: { !allowed.contains($0) }) {
            return VaultError(.unknownField, field: field, reason: "a \(subject.kind) has no such field")
        }
        for (field, value) in values {
            do {
                _ = try FieldRules.normalise(value, for: field)
            } catch {
                return error
            }
        }
        let consents = try await activeConsents(
            for: [subject.id], purpose: purpose, at: guarded.now, on: guarded.connection)[subject.id] ?? []
        if case .failure(let refusal) = try await guarded.consent(
            for: subject, fields: values.keys.sorted(), purpose: purpose, active: consents, coverage: .everyField)
        {
            return refusal
        }
        return nil
    }

    /// Recomputes the blind indexes a change touches. A SNILS written that another pupil of the
    /// same school has is refused (``VaultError/Code/duplicateSubject``); one a pupil of another
    /// school has is kept, flagged, and a duplicate case opened for the region's coordinator
    /// (`pupil.duplicate_probed`), as at registration (security review M6).
    private func refreshBlindIndexes(
        _ subject: SubjectRecord, changed: Set<FieldName>, ring: KeyRing, purpose: String, guard guarded: AccessGuard
    ) async throws(VaultError) {
        let (requester, now, connection) = (guarded.requester, guarded.now, guarded.connection)
        guard subject.kind == .pupil, !changed.isDisjoint(with: [.snils, .surname, .firstName, .birthDate]) else { return }
        let values = try await decrypt([.snils, .surname, .firstName, .birthDate], of: [subject], ring: ring, on: connection)[subject.id] ?? [:]
        let indexes = try BlindIndex.indexes(for: .pupil, values: values, key: ring.blindIndexKey)
        var sharedSnils = false
        var probes: [PupilDuplicateProbed] = []
        if changed.contains(.snils) {
            let matches = try await duplicateMatches(indexes.filter { $0.0 == .snils }, excluding: subject.id, on: connection)
            if matches.contains(where: { $0.school == subject.organisation }) {
                throw VaultError(.duplicateSubject, reason: "a pupil of this school with the same snils is registered")
            }
            for match in matches {
                let reference = try await openDuplicateCase(
                    subject: subject.id, school: subject.organisation, region: subject.region, matching: match, openedBy: requester.actor,
                    at: now, on: connection)
                probes.append(
                    PupilDuplicateProbed(
                        actor: requester.actor, subject: subject.token.rawValue, purpose: purpose, matchedOn: match.kind.rawValue,
                        outcome: .otherSchool, duplicateCase: reference.rawValue))
            }
            sharedSnils = !matches.isEmpty
        } else {
            sharedSnils = try await isSharedSnils(subject.id, on: connection)
        }
        do {
            try await connection.execute("DELETE FROM vault.blind_indexes WHERE subject_id = \(subject.id)")
            for (kind, digest) in indexes {
                try await connection.execute(
                    """
                    INSERT INTO vault.blind_indexes (subject_id, kind, digest, shared)
                    VALUES (\(subject.id), \(kind.rawValue), \(digest), \(kind == .snils && sharedSnils))
                    """)
            }
        } catch where error.sqlState == .uniqueViolation {
            throw VaultError(.duplicateSubject, reason: "a subject with the same snils is registered")
        } catch {
            throw VaultError.wrapping(error)
        }
        try await guarded.audit(probes)
    }

    /// Whether the subject's SNILS index row is a flagged duplicate's (kept as it is when another
    /// field changes).
    private func isSharedSnils(_ subject: UUID, on connection: PostgresConnection) async throws(VaultError) -> Bool {
        do {
            return try await connection.query(
                "SELECT coalesce(bool_or(shared), false) FROM vault.blind_indexes WHERE subject_id = \(subject) AND kind = 'snils'"
            ).singleValue(Bool.self)
        } catch {
            throw VaultError.wrapping(error)
        }
    }
}
