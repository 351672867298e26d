import Argon2
import Audit
import DatabaseTestSupport
import Foundation
import Policy
import PostgreSQL
import Storage
@testable import Vault

/// A real vault on a fresh migrated database: the pool connects as `bilet_vault`, the policy is
/// the repository's `policies/` directory, Argon2id runs with small test parameters.
struct VaultFixture: Sendable {
    let database: TestDatabase
    let pool: PostgresConnectionPool
    let policies: PolicyStore
    let vault: Vault
    let passphrase: Passphrase

    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let testArgon2 = try! Argon2id.Parameters(iterations: 1, memoryKiB: 1_024, parallelism: 1)

    static func policyStore() throws -> PolicyStore {
        try PolicyStore(directory: repositoryRoot + "/policies", hasher: SHA256VersionHasher())
    }

    /// A fresh database and an initialised, unsealed vault (passphrase method) unless `initialise`
    /// is false.
    static func make(
        initialise: Bool = true, configuration: VaultConfiguration? = nil, clock: VaultClock = .system,
        maxConnections: Int = 4
    ) async throws -> VaultFixture {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components(maxConnectionsPerComponent: maxConnections).makePool(for: .vault)
        let policies = try policyStore()
        var settings = configuration ?? VaultConfiguration()
        settings.argon2Parameters = testArgon2
        let vault = Vault(pool: pool, policies: policies, audit: AuditLog(), configuration: settings, clock: clock)
        let passphrase = Passphrase("correct horse battery staple (synthetic test passphrase)")
        if initialise {
            try await vault.initialize(with: .passphrase(passphrase), by: "admin:test")
        }
        return VaultFixture(database: database, pool: pool, policies: policies, vault: vault, passphrase: passphrase)
    }

    /// Another vault object over the same database (a second process), sealed.
    func secondVault(clock: VaultClock? = nil) -> Vault {
        Vault(pool: pool, policies: policies, audit: vault.audit, configuration: vault.configuration, clock: clock ?? vault.clock)
    }

    /// Runs `body` with a superuser pool to the same database (to tamper with rows).
    @discardableResult
    func asSuperuser<T>(_ body: (PostgresConnectionPool) async throws -> T) async throws -> T {
        try await database.withPool(body)
    }

    func shutdown() async {
        await pool.shutdown()
    }
}
