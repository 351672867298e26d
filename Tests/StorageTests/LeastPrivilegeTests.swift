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

    static let notAccounts = Component.allCases.filter { $0 != .accounts && $0 != .accountAdmin }

    @Test("every role but bilet_accounts and bilet_account_admin is refused the accounts tables with 42501", arguments: notAccounts)
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

    /// An account as the administrator's role creates it (the smallest valid row).
    static let account: SQLStatement = """
        INSERT INTO accounts.accounts (id, login, role, organisation, password_hash)
        VALUES ('usr_AAAAAAAAAAAAAAAAAAAAAA', 'staff.one', 'school', 'bilet://school/77-0001', '$argon2id$v=19$x')
        """

    /// Finding M-1: the gateway's `bilet_accounts` signs staff in and keeps sessions; it cannot
    /// create an account (a compliance officer of its own) or take one over by setting its password
    /// or re-enabling it. Only lockout state and session ends change.
    @Test("bilet_accounts changes only lockout state and session ends; it creates no account, sets no password, never deletes")
    func accountsRoleIsNarrow() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await withComponentPool(database, .accountAdmin) { pool throws in
            #expect(try await pool.execute(Self.account) == 1)
        }
        try await withComponentPool(database, .accounts) { pool throws in
            #expect(try await pool.execute("UPDATE accounts.accounts SET failed_attempts = 1, locked_until = now()") == 1)
            #expect(try await pool.query("SELECT login FROM accounts.accounts").singleValue(String.self) == "staff.one")
            for statement: SQLStatement in [
                """
                INSERT INTO accounts.accounts (id, login, role, organisation, password_hash)
                VALUES ('usr_BBBBBBBBBBBBBBBBBBBBBB', 'officer.forged', 'compliance_officer', 'bilet://region/77', '$argon2id$v=19$x')
                """,
                "UPDATE accounts.accounts SET password_hash = '$argon2id$v=19$taken-over'",
                "UPDATE accounts.accounts SET disabled = false",
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

    /// The administrator's `bilet accounts add|disable`: creates accounts, sets passwords and the
    /// disabled flag, ends sessions; it reads no session token hash, opens no session, touches no
    /// lockout state, never deletes.
    @Test("bilet_account_admin creates accounts, sets password and disabled, ends sessions, and nothing more")
    func accountAdminRoleIsNarrow() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await withComponentPool(database, .accountAdmin) { pool throws in
            #expect(try await pool.execute(Self.account) == 1)
            #expect(try await pool.execute("UPDATE accounts.accounts SET password_hash = '$argon2id$v=19$y', disabled = true") == 1)
            #expect(
                try await pool.execute(
                    "UPDATE accounts.sessions SET ended_at = now(), end_reason = 'account-disabled' WHERE account_id = 'usr_AAAAAAAAAAAAAAAAAAAAAA' AND ended_at IS NULL"
                ) == 0)
            for statement: SQLStatement in [
                "SELECT token_hash FROM accounts.sessions",
                """
                INSERT INTO accounts.sessions (id, token_hash, account_id, certificate_serial, principal, expires_at, idle_timeout)
                VALUES ('ses_AAAAAAAAAAAAAAAAAAAAAA', decode(repeat('00', 32), 'hex'), 'usr_AAAAAAAAAAAAAAAAAAAAAA', 'ab',
                        'bilet://school/77-0001/ws/1', now() + interval '1 hour', interval '10 minutes')
                """,
                "UPDATE accounts.accounts SET failed_attempts = 0, locked_until = NULL",
                "UPDATE accounts.accounts SET role = 'operator'",
                "UPDATE accounts.sessions SET last_seen = now()",
                "DELETE FROM accounts.accounts",
                "DELETE FROM accounts.sessions",
                "TRUNCATE accounts.accounts",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.code == .server(.insufficientPrivilege), "\(statement)")
            }
        }
    }

    static let notPolicy = Component.allCases.filter { $0 != .policy && $0 != .vault }

    /// Finding M-1: relationship facts decide access in the vault; only `bilet_policy` (which no
    /// serving process holds) and the vault itself (which records a school's navigator assignment
    /// after its own policy decision, migration 0690) may add or end one. The gateway's roles and
    /// every other are refused.
    @Test("every role but bilet_policy and bilet_vault is refused adding or ending a relationship fact with 42501", arguments: notPolicy)
    func relationshipsAreClosed(component: Component) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await withComponentPool(database, component) { pool in
            for statement: SQLStatement in [
                """
                INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id)
                VALUES ('assigned', 'user', 'usr_AAAAAAAAAAAAAAAAAAAAAA', 'pupil', 'sub_AAAAAAAAAAAAAAAAAAAAAA')
                """,
                "UPDATE policy.relationships SET expired_at = now()",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.code == .server(.insufficientPrivilege), "\(component.roleName): \(statement)")
            }
        }
    }

    /// The vault records and ends facts (navigator assignments, 0690) but never deletes or rewrites
    /// one, and only of the four kinds it decides itself (row level security, 0820: modules attack
    /// review #2): assigned_navigator, enrolment_pending, enrolled_in, run_by.
    @Test("bilet_vault adds a fact of its own kinds and sets expired_at on them, and nothing more")
    func vaultRelationshipsAreNarrow() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await database.withPool { pool in
            try await pool.execute(
                """
                INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id)
                VALUES ('supervises', 'user', 'usr_AAAAAAAAAAAAAAAAAAAAAA', 'user', 'usr_BBBBBBBBBBBBBBBBBBBBBB')
                """)
        }
        try await withComponentPool(database, .vault) { pool throws in
            for kind in ["assigned_navigator", "enrolment_pending", "enrolled_in", "run_by"] {
                #expect(try await pool.execute(
                    """
                    INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id)
                    VALUES (\(kind), 'pupil', 'sub_AAAAAAAAAAAAAAAAAAAAAA', 'user', 'usr_AAAAAAAAAAAAAAAAAAAAAA')
                    """) == 1, "\(kind)")
            }
            // The four of its own kinds; the other kind's fact is not touched (row security hides it from the update).
            #expect(try await pool.execute("UPDATE policy.relationships SET expired_at = now()") == 4)
            #expect(try await pool.query("SELECT count(*) FROM policy.relationships WHERE expired_at IS NULL").singleValue(Int.self) == 1)
            for statement: SQLStatement in [
                """
                INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id)
                VALUES ('supervises', 'user', 'usr_AAAAAAAAAAAAAAAAAAAAAA', 'user', 'usr_CCCCCCCCCCCCCCCCCCCCCC')
                """,
                "UPDATE policy.relationships SET object_id = 'usr_BBBBBBBBBBBBBBBBBBBBBB'",
                "UPDATE policy.relationships SET valid_until = now() + interval '10 years'",
                "DELETE FROM policy.relationships",
                "TRUNCATE policy.relationships",
                "UPDATE vault.trial_event_venues SET venue = '77-0001'",
                "DELETE FROM vault.trial_event_venues",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.code == .server(.insufficientPrivilege), "\(statement)")
            }
        }
        // The policy role keeps every kind.
        try await withComponentPool(database, .policy) { pool throws in
            #expect(try await pool.execute(
                """
                INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id)
                VALUES ('supervises', 'user', 'usr_AAAAAAAAAAAAAAAAAAAAAA', 'user', 'usr_DDDDDDDDDDDDDDDDDDDDDD')
                """) == 1)
            #expect(try await pool.execute("UPDATE policy.relationships SET expired_at = now() WHERE expired_at IS NULL") == 2)
        }
    }

    @Test(
        "application roles may INSERT into audit.events but never UPDATE, DELETE or TRUNCATE",
        arguments: appenders, AuditChange.allCases)
    func auditIsAppendOnly(component: Component, change: AuditChange) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        // Each role may append only its own kinds (audit.writer_kinds, migrations 0510 and 0540);
        // the identity and policy roles write none today, so even their INSERT is refused.
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
        .vault: "pii.read", .ca: "certificate.issued", .gateway: "audit.read", .accounts: "auth.failed",
        .accountAdmin: "account.changed",
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

    @Test("module roles have a statement timeout of their own: a module cannot hold a pupil's rows, and the vault's erasure pass, for ever (attack review 2 #2)", arguments: Component.allCases.filter(\.isModule))
    func moduleRolesAreBounded(component: Component) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await withComponentPool(database, component) { pool throws in
            #expect(try await pool.query("SHOW statement_timeout").singleValue(String.self) == "1min")
        }
    }

    /// A fact is only ever ended: the vault may not revive one or push its expiry later, and an
    /// expiry in the future is clamped to now (0842, attack review 2 #5).
    @Test("bilet_vault and bilet_policy never revive a fact nor move its expiry later; a future expiry becomes now", arguments: [Component.vault, .policy])
    func factsAreOnlyExpired(component: Component) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        try await database.withPool { pool in
            try await pool.execute(
                """
                INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id)
                VALUES ('assigned_navigator', 'pupil', 'sub_AAAAAAAAAAAAAAAAAAAAAA', 'user', 'usr_AAAAAAAAAAAAAAAAAAAAAA')
                """)
        }
        try await withComponentPool(database, component) { pool throws in
            // A future expiry is clamped to now.
            #expect(try await pool.execute("UPDATE policy.relationships SET expired_at = now() + interval '10 years'") == 1)
            #expect(try await pool.query("SELECT count(*) FROM policy.relationships WHERE expired_at <= now()").singleValue(Int.self) == 1)
            for statement: SQLStatement in [
                "UPDATE policy.relationships SET expired_at = NULL",
                "UPDATE policy.relationships SET expired_at = expired_at + interval '1 second'",
            ] {
                let error = await #expect(throws: PostgresError.self) { try await pool.execute(statement) }
                #expect(error?.code == .server(.insufficientPrivilege), "\(statement)")
            }
            // Earlier is allowed.
            #expect(try await pool.execute("UPDATE policy.relationships SET expired_at = expired_at - interval '1 hour'") == 1)
            #expect(try await pool.query("SELECT count(*) FROM policy.relationships WHERE expired_at IS NULL").singleValue(Int.self) == 0)
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
        "each role has USAGE on its own schema only (plus audit for application roles and the auditor, policy for the vault and the gateway, which read relationships, ca for the gateway, which reads CRLs, accounts for account administration and the vault (navigators' accounts, 0690), and the module schemas for the vault, which calls their erase_pupil functions)"
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
                        || (schema == "accounts" && [.accountAdmin, .vault].contains(component))
                        || (["assessment", "trials", "recommendations"].contains(schema) && component == .vault)
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
        try await database.components(maxConnectionsPerComponent: 1).makePool(for: component).closing(body)
    }
}
