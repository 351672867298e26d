import Audit
import PostgreSQL
import Tokens

extension Vault {
    /// Re-applies one entry of the live destruction register to this vault's (restored) database,
    /// so that a backup taken before an erasure never brings the erased data back.
    ///
    /// A `subject` entry crypto-shreds the subject again through the one erasure path
    /// (``eraseWithReceipt(_:reason:by:)``: data key, ciphertexts, blind indexes, scans, pairwise
    /// tokens, module rows, register, `subject.erased`); a `fields` entry destroys those fields
    /// again and re-keys the rest, audited as `subject.erased` with the categories. The restored
    /// register gets its own entry with `actor` as requester.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/legalHold`` (the snapshot still holds
    ///   the subject; the caller must report it), ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/storage``.
    public func reapply(_ entry: DestructionRecord, by actor: String) async throws(VaultError) -> ReappliedDestruction {
        let ring = try keys()
        try Self.checkActor(actor)
        guard entry.scope == "fields" else {
            // The register records why data was destroyed: a reason the vault does not know is not
            // replaced by a plausible one (as the retention job refuses one in a deadline).
            guard let reason = ErasureReason(rawValue: entry.reason) else {
                throw VaultError(.storage, reason: "a destruction register entry carries an unknown reason")
            }
            do {
                return .erased(try await eraseWithReceipt(entry.subject, reason: reason, by: actor).erased)
            } catch where error.code == .subjectErased {
                return .alreadyDestroyed
            } catch where error.code == .unknownSubject {
                return .notInSnapshot
            }
        }
        return try await withTransaction { connection in
            let subject: SubjectRecord
            do {
                guard let found = try await SubjectQueries.byTokens([entry.subject], on: connection, lock: true).first else {
                    return .notInSnapshot
                }
                subject = found
            } catch {
                throw VaultError.wrapping(error)
            }
            guard !subject.isErased else { return .alreadyDestroyed }
            let fields = entry.categories.map { FieldName(rawValue: $0) }
            try await self.destroyFieldsAudited(fields, of: subject, reason: entry.reason, requestedBy: actor, ring: ring, on: connection)
            return .fieldsDestroyed(entry.categories)
        }
    }
}
