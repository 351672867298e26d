public import Foundation
import PostgreSQL
public import Tokens

/// A module's part of a pupil's erasure still pending long after the erasure (modules attack
/// review 2, #2): the module has not confirmed it, so the queue row still links the pupil's vault
/// token to the module's token. No module token, no counts.
public struct OverdueModuleErasure: Sendable, Hashable, Codable {
    /// The erased pupil's vault token (`sub_…`), for `bilet vault erasure-status`.
    public var subject: SubjectToken
    /// `assessment`, `trials` or `recommendations`.
    public var module: String
    /// When the erasure queued it.
    public var queuedAt: Date
    /// Passes tried so far.
    public var attempts: Int
    /// The last failure's code (a SQLSTATE or `storage`).
    public var lastErrorCode: String?

    public init(subject: SubjectToken, module: String, queuedAt: Date, attempts: Int, lastErrorCode: String?) {
        self.subject = subject
        self.module = module
        self.queuedAt = queuedAt
        self.attempts = attempts
        self.lastErrorCode = lastErrorCode
    }
}

extension Vault {
    /// How long a module's part of an erasure may stay pending before it is overdue: reported by
    /// ``overdueModuleErasures(olderThan:)``, `bilet vault erasure-status --overdue` and a warning
    /// of the module erasure job.
    public static let moduleErasureOverdueAfter: TimeInterval = 3_600

    /// The module erasures still pending (no first pass confirmed) that were queued more than
    /// `age` ago, oldest first.
    ///
    /// - Throws: ``VaultError/Code/storage``.
    public func overdueModuleErasures(olderThan age: TimeInterval = Vault.moduleErasureOverdueAfter) async throws(VaultError)
        -> [OverdueModuleErasure]
    {
        let before = clock.now.addingTimeInterval(-age)
        return try await withConnection { connection in
            try await connection.query(
                """
                SELECT s.token, m.module, m.queued_at, m.attempts, m.last_error_code
                FROM vault.module_erasures m JOIN vault.subjects s ON s.id = m.subject_id
                WHERE m.erased_at IS NULL AND m.swept_at IS NULL AND m.queued_at <= \(before)
                ORDER BY m.queued_at, m.id LIMIT 1000
                """
            ).map { row in
                OverdueModuleErasure(
                    subject: try SubjectToken(parsing: try row.decode(String.self, at: 0)), module: try row.decode(String.self, at: 1),
                    queuedAt: try row.decode(Date.self, at: 2), attempts: try row.decode(Int.self, at: 3),
                    lastErrorCode: try row.decode(String?.self, at: 4))
            }
        }
    }
}
