import Audit
import Foundation
import Policy
import PostgreSQL
import Vault

/// A vault for a benchmark: initialised with a fresh master key file in a private temporary
/// directory (mode 0700), which also holds the benchmark's door socket, if any. ``remove()``
/// deletes the directory and the key with it.
struct BenchVault {
    let vault: Vault
    /// The private directory: `master.key`, and room for `door/door.sock`.
    let directory: String

    /// The door socket's path inside ``directory``.
    var doorSocket: String { directory + "/door/door.sock" }

    /// A vault over `pool` (role `bilet_vault`), initialised with a new key file.
    static func make(pool: PostgresConnectionPool, policies: PolicyStore) async throws -> BenchVault {
        let vault = Vault(pool: pool, policies: policies, audit: AuditLog())
        let directory = NSTemporaryDirectory() + "bilet-bench-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        do {
            try VaultKeyFile.generate(at: directory + "/master.key")
            try await vault.initialize(with: .keyFile(path: directory + "/master.key"), by: "service:bench")
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
        return BenchVault(vault: vault, directory: directory)
    }

    /// Deletes the directory (the key file and the socket).
    func remove() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
