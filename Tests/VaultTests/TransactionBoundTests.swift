import Foundation
import PostgreSQL
import Testing
@testable import Vault

/// Every vault transaction is bounded by ``VaultConfiguration/transactionTimeout``: a stalled
/// statement or a transaction left idle ends within the bound instead of holding a read forever.
@Suite("Vault transaction bound")
struct TransactionBoundTests {
    static func boundedVault(_ fixture: VaultFixture, milliseconds: Int) -> Vault {
        var settings = fixture.vault.configuration
        settings.transactionTimeout = .milliseconds(milliseconds)
        return Vault(pool: fixture.pool, policies: fixture.policies, audit: fixture.vault.audit, configuration: settings)
    }

    @Test("the bound is set for the transaction alone and lapses with it")
    func settingsAreLocal() async throws {
        let fixture = try await VaultFixture.make(maxConnections: 1)
        let vault = Self.boundedVault(fixture, milliseconds: 1_250)
        let inside = try await vault.withTransaction { connection in
            let row = try await connection.query(
                "SELECT current_setting('statement_timeout'), current_setting('idle_in_transaction_session_timeout')")[0]
            return [try row.decode(String.self, at: 0), try row.decode(String.self, at: 1)]
        }
        #expect(inside == ["1250ms", "1250ms"])
        // The same (only) pooled connection, outside any vault transaction: the server defaults again.
        let outside = try await vault.withConnection { connection in
            try await connection.query("SELECT current_setting('statement_timeout')").singleValue(String.self)
        }
        #expect(outside == "0")
        await fixture.shutdown()
    }

    @Test("a statement that stalls past the bound fails within it as a storage error")
    func stalledStatement() async throws {
        let fixture = try await VaultFixture.make()
        let vault = Self.boundedVault(fixture, milliseconds: 500)
        let started = ContinuousClock.now
        let error = await #expect(throws: VaultError.self) {
            try await vault.withTransaction { connection in
                _ = try await connection.query("SELECT pg_sleep(30)")
            }
        }
        let elapsed = ContinuousClock.now - started
        #expect(error?.code == .storage)
        #expect(error?.description.contains("57014") == true)
        #expect(elapsed < .seconds(2))
        await fixture.shutdown()
    }

    @Test("a transaction left idle past the bound is ended by the server and does not commit")
    func idleTransaction() async throws {
        let fixture = try await VaultFixture.make()
        let vault = Self.boundedVault(fixture, milliseconds: 300)
        let error = await #expect(throws: VaultError.self) {
            try await vault.withTransaction { connection in
                try await connection.execute("UPDATE vault.keks SET state = 'previous' WHERE version = 1")
                try await Task.sleep(for: .milliseconds(1_200))
                _ = try await connection.query("SELECT 1")
            }
        }
        #expect(error?.code == .storage)
        // Nothing of it committed, and the pool still serves the vault afterwards.
        #expect(try await vault.status().keks.map(\.state) == ["current"])
        await fixture.shutdown()
    }
}
