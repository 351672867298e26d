import Foundation
import GnuTLS
import PostgreSQL

extension Vault {
    /// Gives `subject` a new data key and re-seals everything it still has under it: the remaining
    /// field ciphertexts and the consent scans (content and where the original is kept). The old
    /// wrapped data key is overwritten, so it exists nowhere any more: a copy of the database taken
    /// before (a backup, a dump) still holds the old ciphertexts, but no key that remains opens
    /// them. This is what makes destroying single fields crypto-shredding.
    ///
    /// Runs in the caller's transaction, which must hold the subject's row lock (so no write or
    /// rotation of this subject interleaves); the new key is wrapped by the current KEK. Nothing is
    /// decrypted beyond what is re-sealed at once; plaintext never leaves this function.
    ///
    /// - Returns: the new data-key version.
    /// - Throws: ``VaultError/Code/subjectErased``, ``VaultError/Code/unknownKeyVersion``,
    ///   ``VaultError/Code/integrityFailure`` (a remaining ciphertext does not open: nothing is
    ///   changed), ``VaultError/Code/crypto``, ``VaultError/Code/storage``.
    @discardableResult
    func rekey(_ subject: SubjectRecord, ring: KeyRing, on connection: PostgresConnection) async throws(VaultError) -> Int {
        let oldKey = try await dataKey(of: subject, ring: ring, on: connection)
        let newKey = try Envelope.newKey()
        let newVersion = subject.dataKeyVersion + 1
        let (kekVersion, kek) = try await currentKEK(ring: ring, on: connection)
        let wrapped = try Envelope.wrap(dataKey: newKey, subject: subject.id, dataKeyVersion: newVersion, kek: kek, kekVersion: kekVersion)
        do {
            let fields = try await connection.query(
                "SELECT name, ciphertext, data_key_version FROM vault.fields WHERE subject_id = \(subject.id) ORDER BY name")
            var resealedFields: [(String, [UInt8])] = []
            for row in fields {
                let field = FieldName(rawValue: try row.decode(String.self, at: 0))
                let value = try FieldCrypto.open(
                    try row.decode([UInt8].self, at: 1), storedVersion: try row.decode(Int.self, at: 2), field: field, subject: subject,
                    dataKey: oldKey)
                resealedFields.append(
                    (field.rawValue, try FieldCrypto.seal(value, field: field, subject: subject.id, dataKey: newKey, dataKeyVersion: newVersion)))
            }
            let documents = try await connection.query(
                "SELECT id, content, original_location, data_key_version FROM vault.consent_documents WHERE subject_id = \(subject.id)")
            var resealedDocuments: [(UUID, [UInt8], [UInt8])] = []
            for row in documents {
                let id = try row.decode(UUID.self, at: 0)
                guard try row.decode(Int.self, at: 3) == subject.dataKeyVersion else {
                    throw VaultError(.unknownKeyVersion, reason: "a consent scan is sealed under another data-key version")
                }
                var parts: [[UInt8]] = []
                for (column, part) in [(1, "content"), (2, "original_location")] {
                    var plaintext = try Envelope.open(
                        try row.decode([UInt8].self, at: column), key: oldKey,
                        context: Envelope.documentContext(subject: subject.id, document: id, part: part, dataKeyVersion: subject.dataKeyVersion))
                    defer { KeyFile.wipe(&plaintext) }
                    parts.append(
                        try Envelope.seal(
                            plaintext, key: newKey,
                            context: Envelope.documentContext(subject: subject.id, document: id, part: part, dataKeyVersion: newVersion)))
                }
                resealedDocuments.append((id, parts[0], parts[1]))
            }
            for (name, ciphertext) in resealedFields {
                try await connection.execute(
                    """
                    UPDATE vault.fields SET ciphertext = \(ciphertext), data_key_version = \(newVersion), updated_at = now()
                    WHERE subject_id = \(subject.id) AND name = \(name)
                    """)
            }
            for (id, content, location) in resealedDocuments {
                try await connection.execute(
                    """
                    UPDATE vault.consent_documents SET content = \(content), original_location = \(location), data_key_version = \(newVersion)
                    WHERE id = \(id)
                    """)
            }
            let updated = try await connection.execute(
                """
                UPDATE vault.subjects SET data_key = \(wrapped), data_key_version = \(newVersion), kek_version = \(kekVersion)
                WHERE id = \(subject.id) AND data_key_version = \(subject.dataKeyVersion) AND erased_at IS NULL
                """)
            guard updated == 1 else { throw VaultError(.storage, reason: "the subject's data key changed during re-keying") }
        } catch {
            throw VaultError.wrapping(error)
        }
        return newVersion
    }
}
