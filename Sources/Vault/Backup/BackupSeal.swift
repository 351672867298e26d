import Argon2
public import PostgreSQL

/// The vault's seal record as a backup carries it: the unseal method, the Argon2id salt and
/// parameters (for a passphrase) and the check tag.
///
/// None of it is secret (the same row is in every dump of `vault.seal`), and none of it opens the
/// backup: with it, the operator's key file or passphrase gives the master key, and the master
/// key gives the backup's keys. Carrying it lets `bilet backup verify` tell a wrong secret from a
/// damaged file without any database.
public struct BackupSeal: Codable, Hashable, Sendable {
    /// `passphrase` or `key_file`.
    public var method: String
    /// The Argon2id salt, hex (passphrase only).
    public var salt: String?
    /// Argon2id iterations, memory in KiB and lanes (passphrase only).
    public var argon2Iterations: UInt32?
    public var argon2MemoryKiB: UInt32?
    public var argon2Parallelism: UInt32?
    /// The master key's check tag, hex.
    public var checkTag: String

    init(_ record: SealRecord) {
        method = record.method
        salt = record.salt.map(BatchSQL.hex)
        argon2Iterations = record.parameters?.iterations
        argon2MemoryKiB = record.parameters?.memoryKiB
        argon2Parallelism = record.parameters?.parallelism
        checkTag = BatchSQL.hex(record.checkTag)
    }

    /// The seal record of the vault as `connection` sees it (read as the database owner).
    ///
    /// - Throws: ``BackupError/vaultNotInitialised``, ``BackupError/storage(_:)``.
    public static func load(from connection: PostgresConnection) async throws(BackupError) -> BackupSeal {
        let rows: QueryResult
        do {
            rows = try await connection.query(Vault.sealRecordQuery)
        } catch {
            throw .storage("cannot read the vault's seal record (\(error.sqlState?.rawValue ?? "connection"))")
        }
        guard let row = rows.first else { throw .vaultNotInitialised }
        do {
            return BackupSeal(try Vault.decodeSealRecord(row))
        } catch {
            throw .storage("the vault's seal record cannot be decoded")
        }
    }

    /// The record the key derivation works from.
    ///
    /// - Throws: ``BackupError/tampered`` when the fields are not well formed (they are covered by
    ///   the backup's MAC, so a malformed value is a modified file).
    func record() throws(BackupError) -> SealRecord {
        guard let tag = KeyFile.decodeHex(Array(checkTag.utf8)) else { throw .tampered }
        var parameters: Argon2id.Parameters?
        var saltBytes: [UInt8]?
        if let salt {
            guard let bytes = KeyFile.decodeHex(Array(salt.utf8)), let iterations = argon2Iterations, let memory = argon2MemoryKiB,
                let parallelism = argon2Parallelism
            else { throw .tampered }
            do {
                parameters = try Argon2id.Parameters(
                    iterations: iterations, memoryKiB: memory, parallelism: parallelism, saltLength: bytes.count)
            } catch {
                throw .tampered
            }
            saltBytes = bytes
        }
        return SealRecord(method: method, salt: saltBytes, parameters: parameters, checkTag: tag)
    }
}
