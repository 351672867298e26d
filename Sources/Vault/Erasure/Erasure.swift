public import Foundation
import Audit
import PostgreSQL
public import Tokens

/// Why a subject or some of its data was destroyed, as the destruction register and the audit
/// log record it.
public enum ErasureReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// The consent was withdrawn and the 30-day deadline came (152-FZ art. 21 part 5).
    case consentWithdrawn = "consent_withdrawn"
    /// The consent's term ended and nothing else covers the data.
    case consentExpired = "consent_expired"
    /// The retention period ended.
    case retentionExpired = "retention_expired"
    /// The subject (or their representative) asked for destruction (152-FZ art. 21 part 3).
    case subjectRequest = "subject_request"
    /// The pupil a guardian represents was erased.
    case pupilErased = "pupil_erased"
}

extension Vault {
    /// Crypto-shreds a subject: destroys the wrapped data key (so no copy of the ciphertexts, in
    /// this database or in any dump taken from now on, can be opened again), deletes the
    /// ciphertexts, blind indexes and consent scans, closes pending deadlines, and writes the
    /// destruction register. The subject row and its tokens stay and answer
    /// ``VaultError/Code/subjectErased``. A pupil's guardians are erased with the pupil.
    ///
    /// - Returns: every subject erased (the subject first, then its guardians).
    /// - Throws: ``VaultError/Code/legalHold``, ``VaultError/Code/subjectErased``.
    func shred(
        _ subject: SubjectRecord, reason: ErasureReason, requestedBy actor: String, at now: Date, on connection: PostgresConnection
    ) async throws(VaultError) -> [SubjectRecord] {
        guard !subject.isErased else { throw VaultError(.subjectErased, reason: "the subject's data was already erased") }
        guard !subject.legalHold else { throw VaultError(.legalHold, reason: "the subject is under legal hold") }
        var erased = [subject]
        do {
            try await destroy(subject, reason: reason, requestedBy: actor, at: now, on: connection)
            if subject.kind == .pupil {
                let guardians = try await connection.query(
                    "SELECT id FROM vault.subjects WHERE pupil_id = \(subject.id) AND erased_at IS NULL AND NOT legal_hold FOR UPDATE")
                for row in guardians {
                    guard let guardian = try await SubjectQueries.byID(try row.decode(UUID.self, at: 0), on: connection) else { continue }
                    try await destroy(guardian, reason: .pupilErased, requestedBy: actor, at: now, on: connection)
                    erased.append(guardian)
                }
            }
        } catch {
            throw VaultError.wrapping(error)
        }
        return erased
    }

    private func destroy(_ subject: SubjectRecord, reason: ErasureReason, requestedBy actor: String, at now: Date, on connection: PostgresConnection) async throws {
        try await connection.execute(
            """
            UPDATE vault.subjects SET data_key = NULL, kek_version = NULL, erased_at = \(now)
            WHERE id = \(subject.id) AND erased_at IS NULL
            """)
        try await connection.execute("DELETE FROM vault.fields WHERE subject_id = \(subject.id)")
        try await connection.execute("DELETE FROM vault.blind_indexes WHERE subject_id = \(subject.id)")
        try await connection.execute("DELETE FROM vault.consent_documents WHERE subject_id = \(subject.id)")
        try await connection.execute(
            """
            UPDATE vault.destruction_deadlines SET completed_at = \(now), outcome = 'erased_with_subject'
            WHERE subject_id = \(subject.id) AND completed_at IS NULL
            """)
        let categories = (subject.kind.fields.map(\.rawValue) + (subject.kind == .pupil ? ["consent_scans"] : []))
            .joined(separator: ",")
        try await connection.execute(
            """
            INSERT INTO vault.destruction_register (subject_token, subject_kind, scope, categories, method, reason, requested_by)
            VALUES (\(subject.token.rawValue), \(subject.kind.rawValue), 'subject', string_to_array(\(categories), ','),
                    'crypto_shredding', \(reason.rawValue), \(actor))
            """)
    }

    /// Destroys some fields of a subject (their consent ended while others remain) by
    /// crypto-shredding: their ciphertexts (and the blind indexes built from them) are deleted,
    /// then the subject gets a new data key and everything it still has is re-sealed under it
    /// (``rekey(_:ring:on:)``), so the old data key, the only one that opened the destroyed
    /// ciphertexts in any earlier backup, is gone. Registered as `crypto_shredding` with scope
    /// `fields`. All in the caller's transaction, under the subject's row lock.
    ///
    /// - Throws: ``VaultError/Code/subjectErased``, ``VaultError/Code/legalHold``, the re-keying
    ///   errors, ``VaultError/Code/storage``.
    func destroyFields(
        _ fields: [FieldName], of subject: SubjectRecord, reason: String, requestedBy actor: String, ring: KeyRing,
        on connection: PostgresConnection
    ) async throws(VaultError) {
        let names = fields.map(\.rawValue).joined(separator: ",")
        let locked: SubjectRecord
        do {
            guard let found = try await SubjectQueries.byTokens([subject.token], on: connection, lock: true).first else {
                throw VaultError(.unknownSubject, reason: "no subject has this token")
            }
            locked = found
        } catch {
            throw VaultError.wrapping(error)
        }
        guard !locked.isErased else { throw VaultError(.subjectErased, reason: "the subject's data was erased") }
        guard !locked.legalHold else { throw VaultError(.legalHold, reason: "the subject is under legal hold") }
        do {
            try await connection.execute(
                "DELETE FROM vault.fields WHERE subject_id = \(subject.id) AND name = ANY(string_to_array(\(names), ','))")
            if fields.contains(.snils) {
                try await connection.execute("DELETE FROM vault.blind_indexes WHERE subject_id = \(subject.id) AND kind = 'snils'")
            }
            if fields.contains(where: { [.surname, .firstName, .birthDate].contains($0) }) {
                try await connection.execute(
                    "DELETE FROM vault.blind_indexes WHERE subject_id = \(subject.id) AND kind = 'name_birth_date'")
            }
            try await connection.execute(
                """
                INSERT INTO vault.destruction_register (subject_token, subject_kind, scope, categories, method, reason, requested_by)
                VALUES (\(subject.token.rawValue), \(subject.kind.rawValue), 'fields', string_to_array(\(names), ','),
                        'crypto_shredding', \(reason), \(actor))
                """)
        } catch {
            throw VaultError.wrapping(error)
        }
        try await rekey(locked, ring: ring, on: connection)
    }

    /// ``destroyFields(_:of:reason:requestedBy:ring:on:)`` and its `subject.erased` record (the
    /// fields as categories), in the caller's transaction: how the retention job and a restore's
    /// re-application destroy fields.
    func destroyFieldsAudited(
        _ fields: [FieldName], of subject: SubjectRecord, reason: String, requestedBy actor: String, ring: KeyRing,
        on connection: PostgresConnection
    ) async throws(VaultError) {
        try await destroyFields(fields, of: subject, reason: reason, requestedBy: actor, ring: ring, on: connection)
        try await appendAudit(
            SubjectErased(actor: actor, subject: subject.token.rawValue, reason: reason, categories: fields.map(\.rawValue)).event,
            on: connection)
    }
}

/// One entry of the destruction register.
public struct DestructionRecord: Sendable, Hashable, Codable {
    public var subject: SubjectToken
    public var kind: SubjectKind
    /// `subject` or `fields`.
    public var scope: String
    public var categories: [String]
    /// `crypto_shredding` (the data key destroyed: the whole subject's, or for `fields` the key the
    /// destroyed fields were sealed under, the rest re-sealed under a new one). Registers written
    /// before field destruction re-keyed may say `ciphertext_deletion`.
    public var method: String
    public var reason: String
    public var requestedBy: String
    public var destroyedAt: Date
    /// Until when the entry is kept: three years after `destroyedAt` (set by the database, never
    /// shorter); the retention job removes it after that.
    public var keepUntil: Date
}
