import Foundation
import GnuTLS
import PostgreSQL

extension Vault {
    /// Decrypts `fields` of each subject (internal: only the one door calls this, after policy,
    /// consent and audit). Fields with no stored value are missing from the subject's dictionary.
    ///
    /// One query loads every ciphertext; each subject's data key is unwrapped once.
    ///
    /// - Throws: ``VaultError/Code/subjectErased``, ``VaultError/Code/unknownKeyVersion``,
    ///   ``VaultError/Code/integrityFailure``, ``VaultError/Code/storage``.
    func decrypt(
        _ fields: [FieldName], of subjects: [SubjectRecord], ring: KeyRing, on connection: PostgresConnection
    ) async throws(VaultError) -> [UUID: [FieldName: PersonalValue]] {
        guard !subjects.isEmpty, !fields.isEmpty else { return [:] }
        let ids = subjects.map(\.id.uuidString).joined(separator: ",")
        let names = fields.map(\.rawValue).joined(separator: ",")
        let rows: QueryResult
        do {
            rows = try await connection.query(
                """
                SELECT subject_id, name, ciphertext, data_key_version FROM vault.fields
                WHERE subject_id = ANY(CAST(string_to_array(\(ids), ',') AS uuid[]))
                  AND name = ANY(string_to_array(\(names), ','))
                """)
        } catch {
            throw VaultError.wrapping(error)
        }
        var byID: [UUID: SubjectRecord] = [:]
        for subject in subjects { byID[subject.id] = subject }
        var keys: [UUID: SymmetricKey] = [:]
        var result: [UUID: [FieldName: PersonalValue]] = [:]
        for subject in subjects { result[subject.id] = [:] }
        for row in rows {
            let id: UUID
            let field: FieldName
            let ciphertext: [UInt8]
            let version: Int
            do {
                id = try row.decode(UUID.self, at: 0)
                field = FieldName(rawValue: try row.decode(String.self, at: 1))
                ciphertext = try row.decode([UInt8].self, at: 2)
                version = try row.decode(Int.self, at: 3)
            } catch {
                throw VaultError.wrapping(error)
            }
            guard let subject = byID[id] else { continue }
            let key: SymmetricKey
            if let cached = keys[id] {
                key = cached
            } else {
                key = try await dataKey(of: subject, ring: ring, on: connection)
                keys[id] = key
            }
            result[id, default: [:]][field] = try FieldCrypto.open(
                ciphertext, storedVersion: version, field: field, subject: subject, dataKey: key)
        }
        return result
    }

    /// Seals and stores `values` for an existing subject (upsert per field).
    func store(_ values: [FieldName: PersonalValue], for subject: SubjectRecord, ring: KeyRing, on connection: PostgresConnection) async throws(VaultError) {
        let key = try await dataKey(of: subject, ring: ring, on: connection)
        for (field, value) in values.sorted(by: { $0.key < $1.key }) {
            let ciphertext = try FieldCrypto.seal(
                value, field: field, subject: subject.id, dataKey: key, dataKeyVersion: subject.dataKeyVersion)
            do {
                try await connection.execute(
                    """
                    INSERT INTO vault.fields (subject_id, name, ciphertext, data_key_version)
                    VALUES (\(subject.id), \(field.rawValue), \(ciphertext), \(subject.dataKeyVersion))
                    ON CONFLICT (subject_id, name) DO UPDATE
                    SET ciphertext = EXCLUDED.ciphertext, data_key_version = EXCLUDED.data_key_version, updated_at = now()
                    """)
            } catch {
                throw VaultError.wrapping(error)
            }
        }
    }
}
