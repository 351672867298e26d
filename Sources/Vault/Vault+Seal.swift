import Argon2
import Audit
import GnuTLS
import PostgreSQL

extension Vault {
    /// Creates the key hierarchy in an empty vault: the seal record (Argon2id salt and parameters,
    /// or the key-file method) with its check tag, and KEK version 1. Leaves this vault unsealed.
    /// Audited (`vault.initialised`, by `actor`) in the same transaction: without the record
    /// nothing is created.
    ///
    /// - Throws: ``VaultError/Code/alreadyInitialised``; ``VaultError/Code/keyFileRejected``,
    ///   ``VaultError/Code/passphraseRejected``; ``VaultError/Code/invalidRequest`` (actor);
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``; ``VaultError/Code/storage``.
    public func initialize(with secret: UnsealSecret, by actor: String) async throws(VaultError) {
        try Self.checkActor(actor)
        if try await loadSealRecord() != nil {
            throw VaultError(.alreadyInitialised, reason: "the vault already has a key hierarchy")
        }
        let record: SealRecord
        let master: SymmetricKey
        switch secret {
        case .keyFile(let path):
            master = try KeyFile.read(path: path)
            record = SealRecord(method: "key_file", salt: nil, parameters: nil, checkTag: try MasterKeyDerivation.checkTag(of: master))
        case .passphrase(let passphrase):
            let parameters = configuration.argon2Parameters
            let salt: [UInt8]
            do {
                salt = try SecureRandom.bytes(count: 16, level: .key)
            } catch {
                throw VaultError(.crypto, reason: "random generation failed (\(error.code.rawValue))")
            }
            master = try await BlockingWork.run { () throws(VaultError) in
                try MasterKeyDerivation.derive(passphrase: passphrase, salt: salt, parameters: parameters)
            }
            record = SealRecord(
                method: "passphrase", salt: salt, parameters: parameters,
                checkTag: try MasterKeyDerivation.checkTag(of: master))
        }
        let ring = try KeyRing(master: master)
        let kek = try Envelope.newKey()
        let wrapped = try Envelope.wrap(kek: kek, version: 1, using: ring.kekWrappingKey)
        let inserted = try await withTransaction { connection in
            let salt = record.salt
            let iterations = record.parameters.map { Int64($0.iterations) }
            let memory = record.parameters.map { Int64($0.memoryKiB) }
            let parallelism = record.parameters.map { Int64($0.parallelism) }
            let rows = try await connection.execute(
                """
                INSERT INTO vault.seal (method, salt, argon2_iterations, argon2_memory_kib, argon2_parallelism, check_tag)
                VALUES (\(record.method), \(salt), \(iterations), \(memory), \(parallelism), \(record.checkTag))
                ON CONFLICT (singleton) DO NOTHING
                """)
            guard rows == 1 else { return false }
            try await connection.execute(
                "INSERT INTO vault.keks (version, wrapped, state) VALUES (1, \(wrapped), 'current')")
            try await self.appendAudit(
                VaultInitialised(actor: actor, method: record.method, kekVersion: 1).event,
                on: connection)
            return true
        }
        guard inserted else { throw VaultError(.alreadyInitialised, reason: "the vault already has a key hierarchy") }
        ring.insert(kek: kek, version: 1)
        install(ring)
    }

    /// Derives the master key from `secret`, checks it against the stored check tag, unwraps every
    /// KEK that is not retired and keeps them in memory. Unsealing an unsealed vault checks the
    /// secret again and refreshes the keys. Audited (`vault.unsealed`, by `actor`) in a
    /// transaction of its own before the keys are installed: if the record cannot be written the
    /// vault stays as it was. A refused secret is recorded as `auth.failed` (method
    /// `vault_unseal`) before the refusal is thrown.
    ///
    /// - Throws: ``VaultError/Code/notInitialised``, ``VaultError/Code/wrongSecret`` (wrong
    ///   passphrase or key file, or the other method), ``VaultError/Code/keyFileRejected``,
    ///   ``VaultError/Code/integrityFailure`` (a stored KEK does not open under the right master
    ///   key), ``VaultError/Code/invalidRequest`` (actor), ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``,
    ///   ``VaultError/Code/storage``.
    public func unseal(with secret: UnsealSecret, by actor: String) async throws(VaultError) {
        try await unseal(by: actor, secret: "\(secret)") { record throws(VaultError) in
            try await BlockingWork.run { () throws(VaultError) in try MasterKeyDerivation.masterKey(for: secret, record: record) }
        }
    }

    /// Unseals a restored vault with the master key its backup was opened with, so a restore runs
    /// Argon2id once. The key must still match the restored seal record's check tag; otherwise as
    /// ``unseal(with:by:)-(UnsealSecret,_)``.
    public func unseal(with backup: VerifiedBackup, by actor: String) async throws(VaultError) {
        try await unseal(by: actor, secret: "master key of the backup") { _ in backup.master }
    }

    /// Unseals with the master key `derive` gives for the seal record; `secret` names the secret in a refusal.
    private func unseal(
        by actor: String, secret: String, master derive: (SealRecord) async throws(VaultError) -> SymmetricKey
    ) async throws(VaultError) {
        try Self.checkActor(actor)
        guard let record = try await loadSealRecord() else {
            throw VaultError(.notInitialised, reason: "run `bilet vault init` first")
        }
        let master: SymmetricKey
        do throws(VaultError) {
            master = try await derive(record)
            guard try MasterKeyDerivation.verify(master, against: record) else {
                throw VaultError(.wrongSecret, reason: "the \(secret) does not open this vault")
            }
        } catch {
            try await auditFailedUnseal(error, by: actor)
            throw error
        }
        let ring = try KeyRing(master: master)
        let rows = try await withConnection { connection in
            try await connection.query("SELECT version, wrapped FROM vault.keks WHERE state <> 'retired' ORDER BY version")
        }
        for row in rows {
            do {
                let version = try row.decode(Int.self, at: 0)
                let wrapped = try row.decode([UInt8].self, at: 1)
                ring.insert(kek: try Envelope.unwrapKEK(wrapped, version: version, using: ring.kekWrappingKey), version: version)
            } catch {
                throw VaultError.wrapping(error)
            }
        }
        try await withTransaction { connection in
            try await self.appendAudit(
                VaultUnsealed(actor: actor, method: record.method, kekCount: rows.count).event,
                on: connection)
        }
        install(ring)
    }

    /// Records a refused unseal attempt as `auth.failed` (method `vault_unseal`, the refusal's code
    /// as reason, never anything of the secret) in a transaction of its own. Only refusals of the
    /// secret itself are authentication failures: a wrong passphrase or key file, or one the vault
    /// rejects outright.
    ///
    /// - Throws: ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``,
    ///   ``VaultError/Code/storage`` when the record cannot be written (the caller then reports that
    ///   instead of the refusal, so an unrecorded attempt is never silent).
    private func auditFailedUnseal(_ refusal: VaultError, by actor: String) async throws(VaultError) {
        let reasons: [VaultError.Code: String] = [
            .wrongSecret: "wrong_secret", .keyFileRejected: "key_file_rejected", .passphraseRejected: "passphrase_rejected",
        ]
        guard let reason = reasons[refusal.code] else { return }
        try await withTransaction { connection in
            try await self.appendAudit(
                AuthFailed(actor: actor, method: "vault_unseal", reason: reason).event,
                on: connection)
        }
    }

    /// Drops every key from memory at once (emergency seal). Personal-data operations are refused
    /// from now on; one already past its key lookup finishes. Returns whether it was unsealed.
    ///
    /// The keys go first, whatever happens next: then `vault.sealed` (by `actor`, with the state
    /// before) is appended in a transaction of its own. If that record cannot be written the vault
    /// stays sealed and the error is thrown, so the caller knows the seal is not on the record.
    ///
    /// - Throws: ``VaultError/Code/auditFailed`` (an actor that is not an identifier included), ``VaultError/Code/auditUnavailable``,
    ///   ``VaultError/Code/storage``; the vault is sealed either way.
    @discardableResult
    public func seal(by actor: String) async throws(VaultError) -> Bool {
        let wasUnsealed = dropKeys()
        try await withTransaction { connection in
            try await self.appendAudit(
                VaultSealed(actor: actor, previousState: wasUnsealed ? "unsealed" : "sealed").event,
                on: connection)
        }
        return wasUnsealed
    }

    /// Refuses an actor that is not an identifier (it could not be audited).
    static func checkActor(_ actor: String) throws(VaultError) {
        guard AuditFieldKind.identifier.accepts(.string(actor)) else { throw VaultError(.invalidRequest, reason: "the actor is not an identifier (scheme:rest)") }
    }

    /// The vault's state, keys and rotation progress; available while sealed.
    ///
    /// - Throws: ``VaultError/Code/storage``.
    public func status() async throws(VaultError) -> VaultStatus {
        let unsealed = isUnsealed
        return try await withConnection { connection in
            let seal = try await connection.query("SELECT method FROM vault.seal")
            guard let method = try seal.first?.decode(String.self, at: 0) else {
                return VaultStatus(
                    state: .uninitialised, method: nil, currentKEKVersion: nil, keks: [], rotation: nil,
                    liveSubjects: 0, erasedSubjects: 0)
            }
            var keks: [VaultStatus.KEK] = []
            for row in try await connection.query(
                """
                SELECT k.version, k.state,
                       (SELECT count(*) FROM vault.subjects s WHERE s.kek_version = k.version AND s.data_key IS NOT NULL)
                FROM vault.keks k ORDER BY k.version
                """)
            {
                keks.append(
                    VaultStatus.KEK(
                        version: try row.decode(Int.self, at: 0), state: try row.decode(String.self, at: 1),
                        dataKeys: try row.decode(Int.self, at: 2)))
            }
            let rotation = try await Self.latestRotation(on: connection)
            let counts = try await connection.query(
                "SELECT count(*) FILTER (WHERE erased_at IS NULL), count(*) FILTER (WHERE erased_at IS NOT NULL) FROM vault.subjects")
            return VaultStatus(
                state: unsealed ? .unsealed : .sealed, method: method,
                currentKEKVersion: keks.first { $0.state == "current" }?.version, keks: keks, rotation: rotation,
                liveSubjects: try counts[0].decode(Int.self, at: 0), erasedSubjects: try counts[0].decode(Int.self, at: 1))
        }
    }

    static func latestRotation(on connection: PostgresConnection) async throws -> VaultStatus.Rotation? {
        let rows = try await connection.query(
            """
            SELECT r.from_version, r.to_version, r.total_keys, r.rewrapped_keys,
                   (SELECT count(*) FROM vault.subjects s WHERE s.kek_version = r.from_version AND s.data_key IS NOT NULL),
                   r.finished_at IS NOT NULL
            FROM vault.rotations r ORDER BY r.id DESC LIMIT 1
            """)
        guard let row = rows.first else { return nil }
        return VaultStatus.Rotation(
            fromVersion: try row.decode(Int.self, at: 0), toVersion: try row.decode(Int.self, at: 1),
            totalKeys: try row.decode(Int.self, at: 2), rewrappedKeys: try row.decode(Int.self, at: 3),
            remainingKeys: try row.decode(Int.self, at: 4), finished: try row.decode(Bool.self, at: 5))
    }

    /// The one query of the seal record (columns in ``decodeSealRecord(_:)``'s order).
    static let sealRecordQuery: SQLStatement =
        "SELECT method, salt, argon2_iterations, argon2_memory_kib, argon2_parallelism, check_tag FROM vault.seal"

    func loadSealRecord() async throws(VaultError) -> SealRecord? {
        let rows = try await withConnection { connection in
            try await connection.query(Self.sealRecordQuery)
        }
        guard let row = rows.first else { return nil }
        return try Self.decodeSealRecord(row)
    }

    /// The seal record in a row of ``sealRecordQuery``.
    static func decodeSealRecord(_ row: Row) throws(VaultError) -> SealRecord {
        do {
            let method = try row.decode(String.self, at: 0)
            var parameters: Argon2id.Parameters?
            if let iterations = try row.decode(Int64?.self, at: 2), let memory = try row.decode(Int64?.self, at: 3),
               let parallelism = try row.decode(Int64?.self, at: 4)
            {
                let salt = try row.decode([UInt8].self, at: 1)
                do {
                    parameters = try Argon2id.Parameters(
                        iterations: UInt32(clamping: iterations), memoryKiB: UInt32(clamping: memory),
                        parallelism: UInt32(clamping: parallelism), saltLength: salt.count)
                } catch {
                    throw VaultError(.storage, reason: "the stored Argon2id parameters are out of range")
                }
            }
            return SealRecord(
                method: method, salt: try row.decode([UInt8]?.self, at: 1), parameters: parameters,
                checkTag: try row.decode([UInt8].self, at: 5))
        } catch {
            throw VaultError.wrapping(error)
        }
    }
}
