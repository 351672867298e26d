import Audit
public import Foundation
import PostgreSQL
public import Tokens

/// What one pass of ``Vault/runRetention(by:)`` did.
public struct RetentionReport: Sendable, Hashable, Codable {
    /// Active consents whose term had ended, now marked expired.
    public var consentsExpired = 0
    /// Field-level deadlines carried out (ciphertexts deleted).
    public var fieldDeadlinesDone = 0
    /// Deadlines closed because a newer consent covers the data again.
    public var deadlinesCancelled = 0
    /// Subjects crypto-shredded (deadline or retention end), guardians included.
    public var subjectsErased = 0
    /// Due items left alone because the subject is under legal hold.
    public var heldBack = 0
    /// Destruction register entries removed because their three years had passed.
    public var registerEntriesPurged = 0
}

extension Vault {
    /// Everything due for destruction: pending deadlines (withdrawn or expired consents) and
    /// retention ends, soonest first. Available while sealed; holds tokens and field names only.
    ///
    /// - Parameter dueBefore: only items due before this date; nil for all pending ones.
    public func deadlines(dueBefore: Date? = nil) async throws(VaultError) -> [DestructionDeadline] {
        try await withConnection { connection in try await Self.deadlines(dueBefore: dueBefore, on: connection) }
    }

    /// ``deadlines(dueBefore:)`` read on `connection` (in the caller's transaction).
    static func deadlines(dueBefore: Date?, on connection: PostgresConnection) async throws -> [DestructionDeadline] {
        let limit = dueBefore ?? .distantFuture
        var result: [DestructionDeadline] = []
        for row in try await connection.query(
            """
            SELECT d.id, s.token, s.kind, d.scope, array_to_string(d.fields, ','), d.reason, d.due_at, s.legal_hold
            FROM vault.destruction_deadlines d JOIN vault.subjects s ON s.id = d.subject_id
            WHERE d.completed_at IS NULL AND s.erased_at IS NULL AND d.due_at < \(limit)
            """)
        {
            result.append(
                DestructionDeadline(
                    id: try row.decode(Int64.self, at: 0), subject: try SubjectToken(parsing: try row.decode(String.self, at: 1)),
                    kind: SubjectKind(rawValue: try row.decode(String.self, at: 2)) ?? .pupil,
                    scope: DestructionDeadline.Scope(rawValue: try row.decode(String.self, at: 3)) ?? .subject,
                    fields: try row.decode(String.self, at: 4).split(separator: ",").map { FieldName(rawValue: String($0)) },
                    reason: try row.decode(String.self, at: 5), due: try row.decode(Date.self, at: 6),
                    legalHold: try row.decode(Bool.self, at: 7)))
        }
        for row in try await connection.query(
            """
            SELECT token, kind, retention_until, legal_hold FROM vault.subjects
            WHERE erased_at IS NULL AND retention_until IS NOT NULL AND retention_until < \(limit)
            """)
        {
            let kind = SubjectKind(rawValue: try row.decode(String.self, at: 1)) ?? .pupil
            result.append(
                DestructionDeadline(
                    id: 0, subject: try SubjectToken(parsing: try row.decode(String.self, at: 0)), kind: kind,
                    scope: .subject, fields: kind.fields, reason: "retention_expired", due: try row.decode(Date.self, at: 2),
                    legalHold: try row.decode(Bool.self, at: 3)))
        }
        return result.sorted { ($0.due, $0.subject) < ($1.due, $1.subject) }
    }

    /// The destruction register, newest first. Each entry is kept three years after the
    /// destruction (`keep_until`); ``runRetention(by:)`` removes older ones.
    public func destructionRegister(limit: Int = 1_000) async throws(VaultError) -> [DestructionRecord] {
        try await withConnection { connection in try await Self.destructionRegister(limit: limit, on: connection) }
    }

    /// ``destructionRegister(limit:)`` read on `connection` (in the caller's transaction).
    static func destructionRegister(limit: Int, on connection: PostgresConnection) async throws -> [DestructionRecord] {
        try await connection.query(
            """
            SELECT subject_token, subject_kind, scope, array_to_string(categories, ','), method, reason, requested_by, destroyed_at,
                   keep_until
            FROM vault.destruction_register ORDER BY id DESC LIMIT \(limit)
            """
        ).map { row in
            DestructionRecord(
                subject: try SubjectToken(parsing: try row.decode(String.self, at: 0)),
                kind: SubjectKind(rawValue: try row.decode(String.self, at: 1)) ?? .pupil,
                scope: try row.decode(String.self, at: 2),
                categories: try row.decode(String.self, at: 3).split(separator: ",").map(String.init),
                method: try row.decode(String.self, at: 4), reason: try row.decode(String.self, at: 5),
                requestedBy: try row.decode(String.self, at: 6), destroyedAt: try row.decode(Date.self, at: 7),
                keepUntil: try row.decode(Date.self, at: 8))
        }
    }

    /// Puts a subject under legal hold (erasure and retention stop) or lifts it. Audited
    /// (`legal_hold.changed`: set or cleared) in the same transaction.
    ///
    /// - Throws: ``VaultError/Code/unknownSubject``, ``VaultError/Code/invalidRequest`` (actor),
    ///   ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func setLegalHold(_ hold: Bool, for token: SubjectToken, by actor: String) async throws(VaultError) {
        _ = try keys()
        try Self.checkActor(actor)
        try await withTransaction { connection in
            let changed = try await connection.execute("UPDATE vault.subjects SET legal_hold = \(hold) WHERE token = \(token.rawValue)")
            guard changed == 1 else { throw VaultError(.unknownSubject, reason: "no subject has this token") }
            try await self.appendAudit(
                LegalHoldChanged(actor: actor, subject: token.rawValue, change: hold ? "set" : "cleared").event,
                on: connection)
        }
    }

    /// Sets (or clears) the date by which the subject's data must be destroyed. Audited
    /// (`retention.changed`: set or cleared; the date itself is not recorded, since it may follow
    /// from a birth date) in the same transaction.
    ///
    /// - Throws: ``VaultError/Code/unknownSubject``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/invalidRequest`` (actor), ``VaultError/Code/sealed``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func setRetention(until date: Date?, for token: SubjectToken, by actor: String) async throws(VaultError) {
        _ = try keys()
        try Self.checkActor(actor)
        try await withTransaction { connection in
            let subject = try await self.liveSubject(token, on: connection)
            try await connection.execute(
                """
                UPDATE vault.subjects SET retention_until = CAST(\(date.map { CivilDate($0).iso }) AS date)
                WHERE id = \(subject.id)
                """)
            try await self.appendAudit(
                RetentionChanged(actor: actor, subject: subject.token.rawValue, change: date == nil ? "cleared" : "set").event,
                on: connection)
        }
    }
}
