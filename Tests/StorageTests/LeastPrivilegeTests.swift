import Foundation
import DatabaseTestSupport
import PostgreSQL
import Storage
import Testing

/// ARCHITECTURE.md invariant 3: each component connects with its own role; modules cannot read the
/// vault; application roles can only append to audit.
@Suite("Least privilege in the database (invariant 3)")
struct LeastPrivilegeTests {
    enum AuditChange: String, CaseIterable, Sendable {
        case update, delete, truncate
    }

    static let appenders = Component.allCases.filter(\.appendsAudit)
    static let notVault = Component.allCases.filter { $0 != .vault }

    @Test("every role but bilet_vault is refused SELECT on vault.subjects with 42501", arguments: notVault)
    func vaultIsClosed(component: Component) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let error = try await withComponentPool(database, component) { pool in
            await #expect(throws: PostgresError.self) {
                try await pool.query("SELECT id FROM vault.subjects")
            }
        }
        #expect(error?.code == .server(.insufficientPrivilege))
    }

    @Test("bilet_vault reads and writes vault.subjects")
    func vaultRoleUsesVault() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let id = UUID()
        try await withComponentPool(database, .vault) { pool in
            // The smallest valid row since migration 0200: an erased subject has no data key.
            try await pool.execute(
                """
                INSERT INTO vault.subjects (id, kind, token, created_by, erased_at)
                VALUES (\(id), 'pupil', 'sub_AAAAAAAAAAAAAAAAAAAAAA', 'test:storage', now())
                """)
            #expect(try await pool.query("SELECT id FROM vault.subjects").singleValue(UUID.self) == id)
        }
    }

    static let notAccounts = Component.allCases.filter { $0 != .accounts }

    @Test("every role but bilet_accounts is refused the accounts tables with 42501", arguments: notAccounts)
    func accountsAreClosed(component: Component) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await withComponentPool(database, component) { pool in
            for statement: SQLStatement in [
                "SELECT login FROM accounts.accounts",
                "SELECT token_hash FROM accounts.sessions",
                "UPDATE accounts.sessions SET ended_at = now(), end_reason = 'logout'",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.code == .server(.insufficientPrivilege), "\(statement)")
            }
        }
    }

    @Test("bilet_accounts changes only lockout, password and session ends; it never deletes")
    func accountsRoleIsNarrow() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await withComponentPool(database, .accounts) { pool in
            try await pool.execute(
                """
                INSERT INTO accounts.accounts (id, login, role, organisation, password_hash)
                VALUES ('usr_AAAAAAAAAAAAAAAAAAAAAA', 'staff.one', 'school', 'bilet://school/77-0001', '$argon2id$v=19$x')
                """)
            #expect(try await pool.execute("UPDATE accounts.accounts SET failed_attempts = 1, disabled = true") == 1)
            for statement: SQLStatement in [
                "UPDATE accounts.accounts SET role = 'operator'",
                "UPDATE accounts.accounts SET organisation = 'bilet://school/77-0002'",
                "UPDATE accounts.sessions SET certificate_serial = 'ab'",
                "UPDATE accounts.sessions SET expires_at = now() + interval '1 year'",
                "DELETE FROM accounts.sessions",
                "DELETE FROM accounts.accounts",
                "TRUNCATE accounts.sessions",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.code == .server(.insufficientPrivilege), "\(statement)")
            }
        }
    }

    @Test(
        "application roles may INSERT into audit.events but never UPDATE, DELETE or TRUNCATE",
        arguments: appenders, AuditChange.allCases)
    func auditIsAppendOnly(component: Component, change: AuditChange) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        // Each role may append only its own kinds (audit.writer_kinds, migration 0510); the
        // identity role writes none today, so even its INSERT is refused.
        let ownKind = Self.ownAuditKind[component]
        try await withComponentPool(database, component) { pool in
            if let ownKind {
                let inserted = try await pool.execute(
                    "INSERT INTO audit.events (kind, payload) VALUES (\(ownKind), \("{\"token\":\"t-1\"}")::jsonb)")
                #expect(inserted == 1)
            } else {
                let refused = await #expect(throws: PostgresError.self) {
                    try await pool.execute("INSERT INTO audit.events (kind, payload) VALUES ('pii.read', '{}'::jsonb)")
                }
                #expect(refused?.code == .server(.insufficientPrivilege))
            }
            let error = await #expect(throws: PostgresError.self) {
                switch change {
                case .update: try await pool.execute("UPDATE audit.events SET kind = 'forged'")
                case .delete: try await pool.execute("DELETE FROM audit.events")
                case .truncate: try await pool.execute("TRUNCATE audit.events")
                }
            }
            #expect(error?.code == .server(.insufficientPrivilege))
        }
        let count = try await database.withPool { pool in
            try await pool.query("SELECT count(*) FROM audit.events").singleValue(Int.self)
        }
        #expect(count == (ownKind == nil ? 0 : 1))
    }

    /// One event kind each appending role may write (audit/catalogue/v3.json, `writers`).
    static let ownAuditKind: [Component: String] = [
        .vault: "pii.read", .ca: "certificate.issued", .policy: "policy.reloaded", .gateway: "audit.read", .accounts: "auth.failed",
    ]

    @Test("the audit sequencer reads audit.events but cannot change it")
    func auditSequencer() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await withComponentPool(database, .gateway) { pool in
            try await pool.execute("INSERT INTO audit.events (kind) VALUES ('audit.read')")
        }
        try await withComponentPool(database, .audit) { pool throws in
            #expect(try await pool.query("SELECT kind FROM audit.events").singleValue(String.self) == "audit.read")
            for statement: SQLStatement in [
                "INSERT INTO audit.events (kind) VALUES ('forged')",
                "UPDATE audit.events SET kind = 'forged'",
                "DELETE FROM audit.events",
                "TRUNCATE audit.events",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.code == .server(.insufficientPrivilege), "\(statement)")
            }
        }
    }

    @Test("module roles cannot write or read audit.events", arguments: Component.allCases.filter(\.isModule))
    func modulesDoNotTouchAudit(component: Component) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await withComponentPool(database, component) { pool in
            for statement: SQLStatement in [
                "INSERT INTO audit.events (kind) VALUES ('forged')",
                "SELECT count(*) FROM audit.events",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.code == .server(.insufficientPrivilege), "\(statement)")
            }
        }
    }

    @Test("component roles cannot create objects in public or temporary tables", arguments: Component.allCases)
    func noObjectCreation(component: Component) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await withComponentPool(database, component) { pool in
            for statement: SQLStatement in [
                "CREATE TABLE public.smuggled (id int)",
                "CREATE TEMPORARY TABLE smuggled (id int)",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.code == .server(.insufficientPrivilege), "\(statement)")
            }
        }
    }

    @Test(
        "each role has USAGE on its own schema only (plus audit for application roles and the auditor, policy for the vault and the gateway, which read relationships, and ca for the gateway, which reads CRLs)"
    )
    func schemaUsage() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let schemas = Component.allCases.compactMap(\.schemaName)
        try await database.withPool { pool in
            for component in Component.allCases {
                for schema in schemas {
                    let expected =
                        schema == component.schemaName || (schema == "audit" && (component.appendsAudit || component == .auditor))
                        || (schema == "policy" && [.vault, .gateway].contains(component))
                        || (schema == "ca" && component == .gateway)
                    let actual = try await pool.query(
                        "SELECT has_schema_privilege(\(component.roleName), \(schema), 'USAGE')"
                    ).singleValue(Bool.self)
                    #expect(actual == expected, "\(component.roleName) on \(schema)")
                }
            }
        }
    }

    @Test("component roles are plain login roles")
    func roleAttributes() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await database.withPool { pool in
            let rows = try await pool.query(
                """
                SELECT rolname::text, rolcanlogin, rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication
                       OR rolbypassrls AS powerful
                FROM pg_roles WHERE rolname LIKE 'bilet\\_%' ORDER BY rolname
                """)
            #expect(try rows.map { try $0.decode(String.self, at: 0) } == Component.allCases.map(\.roleName).sorted())
            for row in rows {
                #expect(try row.decode(Bool.self, at: 1) == true)
                #expect(try row.decode(Bool.self, at: 2) == false)
            }
        }
    }

    @Test("ComponentDatabase connects each component as its own role")
    func componentDatabase() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        for component in Component.allCases {
            try await withComponentPool(database, component) { pool in
                let row = try #require(try await pool.query(
                    "SELECT current_user::text, current_setting('application_name')").first)
                #expect(try row.decode(String.self, at: 0) == component.roleName)
                #expect(try row.decode(String.self, at: 1) == "bilet-\(component.rawValue)")
            }
        }
    }

    @discardableResult
    private func withComponentPool<Result>(
        _ database: TestDatabase, _ component: Component,
        _ body: (PostgresConnectionPool) async throws -> Result
    ) async throws -> Result {
        let pool = database.components(maxConnectionsPerComponent: 1).makePool(for: component)
        do {
            let result = try await body(pool)
            await pool.shutdown()
            return result
        } catch {
            await pool.shutdown()
            throw error
        }
    }
}
