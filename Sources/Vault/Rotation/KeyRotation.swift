import Foundation
import GnuTLS
import PostgreSQL

extension Vault {
    /// Creates KEK version n + 1 as the current one, marks version n previous, and records a
    /// rotation for ``KeyRotationJob`` to work through. Reads and writes go on throughout: data
    /// keys wrapped by either version open, new data keys are wrapped by the new one.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/rotationInProgress`` while data
    ///   keys of an earlier rotation still wait to be re-wrapped, ``VaultError/Code/storage``.
    func beginRotation(by actor: String, on connection: PostgresConnection, ring: KeyRing) async throws(VaultError) -> (from: Int, to: Int, total: Int, key: SymmetricKey) {
        do {
            let rows = try await connection.query("SELECT version, state FROM vault.keks ORDER BY version FOR UPDATE")
            var current: Int?
            var highest = 0
            for row in rows {
                let version = try row.decode(Int.self, at: 0)
                let state = try row.decode(String.self, at: 1)
                highest = max(highest, version)
                if state == "current" { current = version }
                if state == "previous" {
                    throw VaultError(.rotationInProgress, reason: "version \(version) still wraps data keys or awaits retirement")
                }
            }
            guard let current else { throw VaultError(.notInitialised, reason: "no current key-encryption key") }
            let next = highest + 1
            let kek = try Envelope.newKey()
            let wrapped = try Envelope.wrap(kek: kek, version: next, using: ring.kekWrappingKey)
            try await connection.execute("UPDATE vault.keks SET state = 'previous' WHERE version = \(current)")
            try await connection.execute("INSERT INTO vault.keks (version, wrapped, state) VALUES (\(next), \(wrapped), 'current')")
            let total = try await connection.query(
                "SELECT count(*) FROM vault.subjects WHERE kek_version = \(current) AND data_key IS NOT NULL"
            ).singleValue(Int.self)
            try await connection.execute(
                """
                INSERT INTO vault.rotations (from_version, to_version, started_by, total_keys)
                VALUES (\(current), \(next), \(actor), \(total))
                """)
            return (current, next, total, kek)
        } catch {
            throw VaultError.wrapping(error)
        }
    }

    /// Re-wraps up to `limit` data keys that are not wrapped by the current KEK, skipping rows
    /// other transactions hold. Returns how many it re-wrapped (0 when none is left or all the rest
    /// are locked for now).
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/unknownKeyVersion``,
    ///   ``VaultError/Code/integrityFailure``, ``VaultError/Code/storage``.
    public func rewrapDataKeys(limit: Int) async throws(VaultError) -> Int {
        let ring = try keys()
        return try await withTransaction { connection in
            let current = try await connection.query("SELECT version FROM vault.keks WHERE state = 'current'").singleValue(Int.self)
            let rows = try await connection.query(
                """
                SELECT id, data_key, data_key_version, kek_version FROM vault.subjects
                WHERE data_key IS NOT NULL AND kek_version <> \(current)
                ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """)
            guard !rows.isEmpty else { return 0 }
            let newKEK = try await self.kek(current, ring: ring, on: connection)
            for row in rows {
                let id = try row.decode(UUID.self, at: 0)
                let wrapped = try row.decode([UInt8].self, at: 1)
                let dataKeyVersion = try row.decode(Int.self, at: 2)
                let oldVersion = try row.decode(Int.self, at: 3)
                let oldKEK = try await self.kek(oldVersion, ring: ring, on: connection)
                let dataKey = try Envelope.unwrapDataKey(
                    wrapped, subject: id, dataKeyVersion: dataKeyVersion, kek: oldKEK, kekVersion: oldVersion)
                let rewrapped = try Envelope.wrap(
                    dataKey: dataKey, subject: id, dataKeyVersion: dataKeyVersion, kek: newKEK, kekVersion: current)
                try await connection.execute(
                    "UPDATE vault.subjects SET data_key = \(rewrapped), kek_version = \(current) WHERE id = \(id)")
            }
            try await connection.execute(
                """
                UPDATE vault.rotations SET rewrapped_keys = rewrapped_keys + \(rows.count), last_rewrap_at = clock_timestamp()
                WHERE to_version = \(current)
                """)
            return rows.count
        }
    }

    /// Retires every previous KEK that wraps no data key any more, once
    /// ``VaultConfiguration/retirementGrace`` has passed since its last re-wrap: its wrapped bytes
    /// are destroyed, its rotation is marked finished, and it leaves the key ring.
    ///
    /// - Returns: the versions retired.
    public func retireUnusedKEKs() async throws(VaultError) -> [Int] {
        let ring = try keys()
        let grace = configuration.retirementGrace.seconds
        let retired: [Int] = try await withTransaction { connection in
            var retired: [Int] = []
            let previous = try await connection.query("SELECT version FROM vault.keks WHERE state = 'previous' FOR UPDATE")
            for row in previous {
                let version = try row.decode(Int.self, at: 0)
                let remaining = try await connection.query(
                    "SELECT count(*) FROM vault.subjects WHERE kek_version = \(version) AND data_key IS NOT NULL"
                ).singleValue(Int.self)
                guard remaining == 0 else { continue }
                let quiet = try await connection.query(
                    """
                    SELECT coalesce(max(coalesce(last_rewrap_at, started_at)), '-infinity') < clock_timestamp() - make_interval(secs => \(grace))
                    FROM vault.rotations WHERE from_version = \(version)
                    """
                ).singleValue(Bool.self)
                guard quiet else { continue }
                try await connection.execute(
                    "UPDATE vault.keks SET state = 'retired', wrapped = NULL, retired_at = now() WHERE version = \(version)")
                try await connection.execute(
                    "UPDATE vault.rotations SET finished_at = now() WHERE from_version = \(version) AND finished_at IS NULL")
                retired.append(version)
            }
            return retired
        }
        for version in retired { ring.remove(version: version) }
        return retired
    }
}
