import Audit
import Foundation
import PostgreSQL
public import Tokens

extension Vault {
    /// Erases a subject (crypto-shredding; see ``ErasureReason``) and a pupil's guardians with it:
    /// the data keys are destroyed, the destruction register written, and `subject.erased`
    /// appended for each. The vault tokens remain and answer ``VaultError/Code/subjectErased``; a
    /// pupil's pairwise tokens are unlinked and the modules' rows deleted
    /// (``eraseWithReceipt(_:reason:by:)``).
    ///
    /// Erasure returns no data, so it takes an actor but no policy decision: the callers are the
    /// retention job, the withdrawal deadlines, and an operator acting on a subject's request.
    ///
    /// - Returns: the tokens erased (the subject first).
    /// - Throws: ``VaultError/Code/legalHold``, ``VaultError/Code/unknownSubject``,
    ///   ``VaultError/Code/subjectErased``, ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``.
    @discardableResult
    public func erase(_ token: SubjectToken, reason: ErasureReason, by actor: String) async throws(VaultError) -> [SubjectToken] {
        try await eraseWithReceipt(token, reason: reason, by: actor).erased
    }

    /// ``erase(_:reason:by:)`` with its receipt: the subjects erased and, for a pupil, where each
    /// module stands and the relationship facts expired.
    ///
    /// The erasure's transaction shreds the keys, unlinks the pupil's pairwise tokens from
    /// `vault.module_tokens` (queuing one `vault.module_erasures` row per module), and expires every
    /// relationship fact whose subject is the pupil (`assigned_navigator`, `enrolment_pending`,
    /// `enrolled_in`, each audited). No module takes part in it, so no module (failing, locked,
    /// or its data tampered with) can hold the shredding back. Once it has committed, the vault
    /// runs the pupil's module erasures at once (``drainModuleErasures(subject:limit:)``: each
    /// module schema's `erase_pupil` deletes the token's rows, `module.erased` audited, counts
    /// only); a module that fails stays `pending` in the receipt and the vault process's
    /// ``ModuleErasureJob`` retries it with backoff until it confirms, then sweeps once more after
    /// the grace period.
    ///
    /// - Throws: the errors of ``erase(_:reason:by:)``.
    public func eraseWithReceipt(_ token: SubjectToken, reason: ErasureReason, by actor: String) async throws(VaultError) -> ErasureReceipt {
        _ = try keys()
        try Self.checkActor(actor)
        let now = clock.now
        let (receipt, subject) = try await withTransaction { connection in
            guard let subject = try await SubjectQueries.byTokens([token], on: connection, lock: true).first else {
                throw VaultError(.unknownSubject, reason: "no subject has this token")
            }
            return (try await self.eraseLocked(subject, reason: reason, actor: actor, at: now, on: connection), subject.id)
        }
        guard !receipt.modules.isEmpty else { return receipt }
        // The shredding has committed; the modules now, each on its own (a failure waits for the job).
        _ = try? await drainModuleErasures(subject: subject)
        var updated = receipt
        if let modules = try? await withConnection({ connection in try await Self.moduleErasures(of: subject, on: connection) }) {
            updated.modules = modules
        }
        return updated
    }

    func eraseLocked(_ subject: SubjectRecord, reason: ErasureReason, actor: String, at now: Date, on connection: PostgresConnection) async throws(VaultError) -> ErasureReceipt {
        let erased = try await shred(subject, reason: reason, requestedBy: actor, at: now, on: connection)
        var modules: [ModuleErasure] = []
        var facts: [ExpiredFact] = []
        var factRecords: [AuditEvent] = []
        if subject.kind == .pupil {
            do {
                modules = try await queueModuleErasures(of: subject, actor: actor, at: now, on: connection)
                (facts, factRecords) = try await expireFacts(of: subject, actor: actor, at: now, on: connection)
            } catch {
                throw VaultError.wrapping(error)
            }
        }
        try await appendAudit(
            erased.map { record in
                let categories = record.kind.fields.map(\.rawValue) + (record.kind == .pupil ? ["consent_scans"] : [])
                return SubjectErased(
                    actor: actor, subject: record.token.rawValue,
                    reason: record.id == subject.id ? reason.rawValue : ErasureReason.pupilErased.rawValue, categories: categories
                ).event
            } + factRecords,
            on: connection)
        return ErasureReceipt(erased: erased.map(\.token), modules: modules, facts: facts)
    }

    /// One pass of the retention job: marks consents whose term ended as expired (audited, with
    /// their destruction deadlines), carries out due deadlines (crypto-shredding a subject with no
    /// consent left, or deleting the fields no consent covers any more), and erases subjects whose
    /// retention ended, and removes destruction register entries older than their three years.
    /// Subjects under legal hold are left alone and counted. Each item runs in a
    /// transaction of its own, so one failure does not stop the rest (it is thrown at the end).
    public func runRetention(by actor: String = "service:vault-retention") async throws(VaultError) -> RetentionReport {
        let ring = try keys()
        var report = RetentionReport()
        var firstError: VaultError?
        let now = clock.now

        // Consents whose term ended.
        let expiring: [ConsentToken] = try await withConnection { connection in
            try await connection.query(
                "SELECT token FROM vault.consents WHERE state = 'active' AND valid_until <= \(now) ORDER BY valid_until LIMIT 10000"
            ).map { try ConsentToken(parsing: try $0.decode(String.self, at: 0)) }
        }
        for token in expiring {
            do throws(VaultError) {
                try await withTransaction { connection in
                    let consent = try await self.lockedConsent(token, on: connection)
                    guard consent.state == "active" else { return }
                    try await self.appendAudit(
                        ConsentChanged(
                            actor: actor, subject: consent.subject.token.rawValue, consent: token.rawValue, change: "expired",
                            purposes: [consent.purpose], givenBy: consent.givenBy
                        ).event,
                        on: connection)
                    _ = try await self.endConsent(
                        id: consent.id, subject: consent.subject, fields: consent.fields, state: .expired, by: nil, at: now,
                        on: connection)
                }
                report.consentsExpired += 1
            } catch {
                firstError = firstError ?? error
            }
        }

        // Due deadlines.
        let due: [(Int64, UUID, Bool)] = try await withConnection { connection in
            try await connection.query(
                """
                SELECT d.id, d.subject_id, s.legal_hold FROM vault.destruction_deadlines d
                JOIN vault.subjects s ON s.id = d.subject_id
                WHERE d.completed_at IS NULL AND d.due_at <= \(now) AND s.erased_at IS NULL ORDER BY d.due_at LIMIT 10000
                """
            ).map { (try $0.decode(Int64.self, at: 0), try $0.decode(UUID.self, at: 1), try $0.decode(Bool.self, at: 2)) }
        }
        for (id, _, held) in due {
            if held {
                report.heldBack += 1
                continue
            }
            do throws(VaultError) {
                let outcome = try await carryOut(deadline: id, actor: actor, at: now, ring: ring)
                switch outcome {
                case .erased(let count): report.subjectsErased += count
                case .fieldsDestroyed: report.fieldDeadlinesDone += 1
                case .cancelled: report.deadlinesCancelled += 1
                case .skipped: break
                }
            } catch {
                firstError = firstError ?? error
            }
        }

        // Retention ends.
        let ended: [(SubjectToken, Bool)] = try await withConnection { connection in
            try await connection.query(
                """
                SELECT token, legal_hold FROM vault.subjects
                WHERE erased_at IS NULL AND retention_until IS NOT NULL AND retention_until <= CAST(\(CivilDate(now).iso) AS date)
                LIMIT 10000
                """
            ).map { (try SubjectToken(parsing: try $0.decode(String.self, at: 0)), try $0.decode(Bool.self, at: 1)) }
        }
        for (token, held) in ended {
            if held {
                report.heldBack += 1
                continue
            }
            do throws(VaultError) {
                report.subjectsErased += try await erase(token, reason: .retentionExpired, by: actor).count
            } catch where error.code == .subjectErased {
                // Erased with its pupil earlier in this pass.
            } catch {
                firstError = firstError ?? error
            }
        }
        // Register entries past their three years (the database's clock decides, not the caller's).
        do throws(VaultError) {
            report.registerEntriesPurged = try await withTransaction { connection in
                try await connection.query("SELECT vault.purge_destruction_register()").singleValue(Int.self)
            }
        } catch {
            firstError = firstError ?? error
        }
        if let firstError { throw firstError }
        return report
    }

    private enum DeadlineOutcome {
        case erased(Int)
        case fieldsDestroyed
        case cancelled
        case skipped
    }

    /// Carries out one due deadline, re-checking what the subject's active consents cover now.
    private func carryOut(deadline id: Int64, actor: String, at now: Date, ring: KeyRing) async throws(VaultError) -> DeadlineOutcome {
        try await withTransaction { connection in
            let rows = try await connection.query(
                """
                SELECT subject_id, scope, array_to_string(fields, ','), reason FROM vault.destruction_deadlines
                WHERE id = \(id) AND completed_at IS NULL FOR UPDATE SKIP LOCKED
                """)
            guard let row = rows.first else { return .skipped }
            guard let subject = try await SubjectQueries.byID(try row.decode(UUID.self, at: 0), on: connection),
                  !subject.isErased, !subject.legalHold
            else { return .skipped }
            let scope = try row.decode(String.self, at: 1)
            let fields = try row.decode(String.self, at: 2).split(separator: ",").map { FieldName(rawValue: String($0)) }
            let reason = try row.decode(String.self, at: 3)
            let remaining = try await connection.query(
                """
                SELECT array_to_string(data_fields, ',') FROM vault.consents
                WHERE subject_id = \(subject.id) AND state = 'active' AND valid_from <= \(now)
                  AND (valid_until IS NULL OR valid_until > \(now))
                """)
            if scope == "subject" && remaining.isEmpty {
                // The register records why data was destroyed: a reason the vault does not know is
                // not replaced by a plausible one.
                guard let known = ErasureReason(rawValue: reason) else {
                    throw VaultError(.storage, reason: "a destruction deadline carries an unknown reason")
                }
                let erased = try await self.eraseLocked(subject, reason: known, actor: actor, at: now, on: connection)
                try await connection.execute(
                    "UPDATE vault.destruction_deadlines SET completed_at = \(now), outcome = 'destroyed' WHERE id = \(id)")
                return .erased(erased.erased.count)
            }
            var covered = Set<FieldName>()
            for row in remaining {
                for name in try row.decode(String.self, at: 0).split(separator: ",") { covered.insert(FieldName(rawValue: String(name))) }
            }
            let uncovered = fields.filter { !covered.contains($0) }
            guard !uncovered.isEmpty else {
                try await connection.execute(
                    "UPDATE vault.destruction_deadlines SET completed_at = \(now), outcome = 'cancelled_new_consent' WHERE id = \(id)")
                return .cancelled
            }
            try await self.destroyFieldsAudited(uncovered, of: subject, reason: reason, requestedBy: actor, ring: ring, on: connection)
            try await connection.execute(
                "UPDATE vault.destruction_deadlines SET completed_at = \(now), outcome = 'destroyed' WHERE id = \(id)")
            return .fieldsDestroyed
        }
    }
}
