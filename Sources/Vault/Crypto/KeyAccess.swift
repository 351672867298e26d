import Foundation
import GnuTLS
import PostgreSQL

extension Vault {
    /// The KEK of `version`: from the ring, or loaded from the database and unwrapped (another
    /// process may have started a rotation).
    ///
    /// - Throws: ``VaultError/Code/unknownKeyVersion`` when no such version exists or it was
    ///   retired, ``VaultError/Code/integrityFailure`` when the stored KEK does not open.
    func kek(_ version: Int, ring: KeyRing, on connection: PostgresConnection) async throws(VaultError) -> SymmetricKey {
        if let kek = ring.kek(version) { return kek }
        let rows: QueryResult
        do {
            rows = try await connection.query(
                "SELECT wrapped FROM vault.keks WHERE version = \(version) AND state <> 'retired'")
        } catch {
            throw VaultError.wrapping(error)
        }
        guard let row = rows.first, let wrapped = try? row.decode([UInt8].self, at: 0) else {
            throw VaultError(.unknownKeyVersion, reason: "key-encryption key version \(version) is not in the key ring")
        }
        let kek = try Envelope.unwrapKEK(wrapped, version: version, using: ring.kekWrappingKey)
        ring.insert(kek: kek, version: version)
        return kek
    }

    /// The subject's data key, unwrapped.
    ///
    /// - Throws: ``VaultError/Code/subjectErased``, ``VaultError/Code/unknownKeyVersion``,
    ///   ``VaultError/Code/integrityFailure``.
    func dataKey(of subject: SubjectRecord, ring: KeyRing, on connection: PostgresConnection) async throws(VaultError) -> SymmetricKey {
        guard !subject.isErased, let wrapped = subject.wrappedDataKey, let kekVersion = subject.kekVersion else {
            throw VaultError(.subjectErased, reason: "the subject's data was erased")
        }
        let kek = try await kek(kekVersion, ring: ring, on: connection)
        return try Envelope.unwrapDataKey(
            wrapped, subject: subject.id, dataKeyVersion: subject.dataKeyVersion, kek: kek, kekVersion: kekVersion)
    }

    /// The current KEK version, share-locked so a rotation cannot make it "previous" and finish
    /// before this transaction (which wraps a new data key with it) commits.
    func currentKEK(ring: KeyRing, on connection: PostgresConnection) async throws(VaultError) -> (version: Int, key: SymmetricKey) {
        var found: Int?
        do {
            // A rotation committing while this statement waits for its lock turns the row it found
            // into 'previous'; PostgreSQL then skips it, and the new current row is not in this
            // statement's snapshot. The next statement sees it, so ask again.
            for _ in 0..<5 where found == nil {
                let rows = try await connection.query("SELECT version FROM vault.keks WHERE state = 'current' FOR SHARE")
                found = try rows.first?.decode(Int.self, at: 0)
            }
        } catch {
            throw VaultError.wrapping(error)
        }
        guard let version = found else { throw VaultError(.notInitialised, reason: "no current key-encryption key") }
        return (version, try await kek(version, ring: ring, on: connection))
    }
}

/// Sealing and opening field values under a subject's data key.
enum FieldCrypto {
    static func seal(_ value: PersonalValue, field: FieldName, subject: UUID, dataKey: SymmetricKey, dataKeyVersion: Int) throws(VaultError) -> [UInt8] {
        try Envelope.seal(
            value.utf8, key: dataKey,
            context: Envelope.fieldContext(subject: subject, field: field, dataKeyVersion: dataKeyVersion))
    }

    /// - Throws: ``VaultError/Code/unknownKeyVersion`` when the ciphertext was sealed under a data
    ///   key version the subject no longer has; ``VaultError/Code/integrityFailure`` (with the
    ///   field named) when it does not open.
    static func open(
        _ ciphertext: [UInt8], storedVersion: Int, field: FieldName, subject: SubjectRecord, dataKey: SymmetricKey
    ) throws(VaultError) -> PersonalValue {
        guard storedVersion == subject.dataKeyVersion else {
            throw VaultError(.unknownKeyVersion, field: field, reason: "sealed under data-key version \(storedVersion)")
        }
        let bytes: [UInt8]
        do {
            bytes = try Envelope.open(
                ciphertext, key: dataKey,
                context: Envelope.fieldContext(subject: subject.id, field: field, dataKeyVersion: storedVersion))
        } catch {
            throw VaultError(error.code, field: field, reason: error.reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw VaultError(.integrityFailure, field: field, reason: "not UTF-8")
        }
        return PersonalValue(text)
    }
}

/// New random tokens and ids.
enum Minting {
    static func entropy() throws(VaultError) -> [UInt8] {
        do {
            return try SecureRandom.bytes(count: 16, level: .random)
        } catch {
            throw VaultError(.crypto, reason: "random generation failed (\(error.code.rawValue))")
        }
    }
}
