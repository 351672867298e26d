import Audit
import DatabaseTestSupport
import Foundation
import PostgreSQL
import Storage
import Testing

/// Finding M5 of the first security review: every record names the database role that wrote it
/// (set by the database, committed to by the leaf), each role writes only its own kinds, and an
/// oversized record is refused at append without holding the sequencer back.
@Suite("Audit writer binding, kind allow-list and size caps")
struct WriterBindingTests {
    /// The review's demonstration: `bilet_gateway` appends a `pii.read` framing an officer as a
    /// SNILS reader. Refused by the database (42501) through the function, a direct INSERT and
    /// the Swift appender alike; nothing is written.
    @Test("A compromised gateway cannot forge a vault record (pii.read), by any path")
    func gatewayCannotForgePIIRead() async throws {
        let fixture = try await AuditFixture.make(appenderRole: .gateway)
        let demonstration = await #expect(throws: PostgresError.self) {
            try await fixture.appender.execute(
                """
                SELECT audit.append('pii.read', 2, 'user:usr_officer_one_0000001', 'sub_aaaaaaaaaaaa00000001', 'permit', 'enrolment',
                                    '{"fields_requested":["snils"],"fields_returned":["snils"]}', 500)
                """)
        }
        #expect(demonstration?.code == .server(.insufficientPrivilege))
        let direct = await #expect(throws: PostgresError.self) {
            try await fixture.appender.execute("INSERT INTO audit.events (kind, actor, payload) VALUES ('pii.read', 'user:usr_x', '{}')")
        }
        #expect(direct?.code == .server(.insufficientPrivilege))
        let batch = await #expect(throws: PostgresError.self) {
            try await fixture.appender.execute(
                """
                SELECT audit.append_batch(3, CAST('[{"kind":"audit.read","actor":"user:usr_x","purpose":"audit_review","payload":"{}"},
                                                    {"kind":"pii.read","actor":"user:usr_x","payload":"{}"}]' AS jsonb), 500)
                """)
        }
        #expect(batch?.code == .server(.insufficientPrivilege))
        let swift = await #expect(throws: AuditError.self) {
            try await fixture.log.append(AuditFixture.read(1), using: fixture.appender)
        }
        #expect(swift?.code == .refused)
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events").singleValue(Int.self) == 0)
        // The gateway's own kinds still go in.
        try await fixture.log.append(
            AuditEvent(type: "audit.read", actor: "user:usr_officer_1", purpose: "audit_review", fields: ["query": .string("query")]),
            using: fixture.appender)
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events").singleValue(Int.self) == 1)
        await fixture.shutdown()
    }

    /// Every appending role against every catalogue kind: allowed exactly when catalogue v3 names
    /// the role among the kind's writers, and the database's list is exactly the catalogue's.
    @Test("Each role writes exactly the kinds catalogue v3 gives it; audit.writer_kinds equals the catalogue")
    func allowListMatchesCatalogue() async throws {
        let fixture = try await AuditFixture.make()
        let stored = try await fixture.superuser.query("SELECT CAST(writer AS text), kind FROM audit.writer_kinds").map {
            "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1))"
        }
        let catalogue = AuditCatalogue.current.entries.flatMap { entry in (entry.writers ?? []).map { "\($0) \(entry.type)" } }
        #expect(Set(stored) == Set(catalogue))
        #expect(stored.count == catalogue.count)
        #expect(AuditCatalogue.current.entries.allSatisfy { $0.writers != nil })

        let components = fixture.database.components(maxConnectionsPerComponent: 1)
        for component in Component.allCases where component.appendsAudit {
            let pool = components.makePool(for: component)
            for entry in AuditCatalogue.current.entries {
                let allowed = entry.writers?.contains(component.roleName) ?? false
                let refusal = await Self.refusal(of: "INSERT INTO audit.events (kind, actor, payload) VALUES (\(entry.type), 'test:matrix', '{}')", on: pool)
                if allowed {
                    #expect(refusal == nil, "\(component.roleName) was refused \(entry.type)")
                } else {
                    #expect(refusal == .server(.insufficientPrivilege), "\(component.roleName) wrote \(entry.type)")
                }
            }
            await pool.shutdown()
        }
        let written = try await fixture.superuser.query(
            "SELECT CAST(written_by AS text), kind FROM audit.events WHERE actor = 'test:matrix'"
        ).map { "\(try $0.decode(String.self, at: 0)) \(try $0.decode(String.self, at: 1))" }
        #expect(Set(written) == Set(catalogue))
        await fixture.shutdown()
    }

    /// The error code `statement` fails with on `pool`, nil when it succeeds.
    static func refusal(of statement: SQLStatement, on pool: PostgresConnectionPool) async -> PostgresError.Code? {
        do {
            _ = try await pool.execute(statement)
            return nil
        } catch {
            return error.code
        }
    }

    @Test("written_by is the writer's login role, set by the database: a role cannot set it and a given value is overwritten")
    func writerIsSetByTheDatabase() async throws {
        let fixture = try await AuditFixture.make()
        try await fixture.log.append(AuditFixture.read(1), using: fixture.appender)
        let refused = await #expect(throws: PostgresError.self) {
            try await fixture.appender.execute(
                "INSERT INTO audit.events (kind, actor, payload, written_by) VALUES ('pii.read', 'user:usr_x', '{}', 'bilet_ca')")
        }
        #expect(refused?.code == .server(.insufficientPrivilege))
        // Even a role allowed to name the column (the superuser here) gets its own login name.
        try await fixture.superuser.execute(
            "INSERT INTO audit.events (kind, actor, payload, written_by) VALUES ('pii.read', 'user:usr_y', '{}', 'bilet_vault')")
        let superuser = try await fixture.superuser.query("SELECT CAST(session_user AS text)").singleValue(String.self)
        let rows = try await fixture.superuser.query("SELECT actor, CAST(written_by AS text) FROM audit.events ORDER BY id").map {
            (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1))
        }
        #expect(rows.map(\.1) == ["bilet_vault", superuser])
        #expect(superuser != "bilet_vault")

        // The sequencer hashes it in (format 2) and the compliance tools show it.
        try await fixture.integrate(untilSize: 2)
        let (leaf, record) = try #require(try await fixture.store.leaf(at: 0))
        let stored = try #require(record)
        #expect(stored.writtenBy == "bilet_vault")
        #expect(stored.leafFormat == 2)
        #expect(stored.leafHash(payloadDigest: stored.payloadDigest) == leaf.leafHash)
        let service = AuditQueryService(reader: fixture.auditor, recorder: fixture.recorder, officer: "user:usr_officer_1", purpose: "compliance_review")
        let entries = try await service.query(AuditQuery(subject: AuditFixture.token(1)))
        #expect(entries.map(\.writtenBy) == ["bilet_vault"])
        #expect(entries.first?.jsonLine.contains(#""written_by":"bilet_vault""#) == true)
        await fixture.shutdown()
    }

    /// Old leaves keep verifying: a record written before the writer was recorded (written_by ''),
    /// integrated in format 1, sits in the same tree as format-2 records and the log verifies.
    @Test("Records without a writer (before 0510) are hashed in leaf format 1 and the mixed log verifies")
    func legacyLeavesVerify() async throws {
        let fixture = try await AuditFixture.make()
        try await fixture.appendReads(0..<2)
        // As a pre-0510 row: inserted with the trigger off, so written_by keeps its old default ''.
        try await fixture.superuser.withConnection { connection in
            try await connection.execute("SET session_replication_role = replica")
            try await connection.execute(
                """
                INSERT INTO audit.events (kind, catalogue_version, actor, subject, decision, purpose, payload, written_by)
                VALUES ('pii.read', 2, 'bilet://school/77-1234/ws/3', \(AuditFixture.token(7)), 'permit', 'career_guidance',
                        '{"fields_requested":["birth_date"],"fields_returned":["birth_date"]}', '')
                """)
            try await connection.execute("SET session_replication_role = origin")
        }
        try await fixture.appendReads(2..<4)
        try await fixture.integrate(untilSize: 5)
        var formats: [Int] = []
        for index in 0..<5 as Range<UInt64> {
            let (_, record) = try #require(try await fixture.store.leaf(at: index))
            formats.append(try #require(record).leafFormat)
        }
        #expect(formats == [2, 2, 1, 2, 2])
        let report = try await AuditVerifier(pool: fixture.auditor, logKey: fixture.signer.verifier).verify()
        #expect(report.findings == [])
        #expect(report.recordsChecked == 5)
        await fixture.shutdown()
    }

    @Test("An oversized payload or attribute is refused at append (54000, audit.too_large) and the sequencer carries on")
    func oversizedRecordsAreRefused() async throws {
        let fixture = try await AuditFixture.make()
        try await fixture.appendReads(0..<1)
        // Straight to the database, past the Swift check: 20 KiB of JSON.
        let big = #"{"fields_requested":[""# + String(repeating: "a", count: 20_000) + #""]}"#
        for statement: SQLStatement in [
            "SELECT audit.append('pii.read', 3, 'user:usr_x', NULL, 'permit', 'enrolment', CAST(\(big) AS jsonb), 500)",
            "INSERT INTO audit.events (kind, actor, payload) VALUES ('pii.read', 'user:usr_x', CAST(\(big) AS jsonb))",
            "INSERT INTO audit.events (kind, actor, payload) VALUES ('pii.read', \("user:" + String(repeating: "x", count: 600)), '{}')",
        ] {
            let error = await #expect(throws: PostgresError.self) { try await fixture.appender.execute(statement) }
            #expect(error?.code == .server(SQLState(rawValue: "54000")), "\(statement)")
        }
        // Through the appender: refused before anything is sent, with a stable code.
        var event = AuditFixture.read(1)
        let names = (0..<128).map { String(format: "field_%058d", $0) }
        event.fields["fields_requested"] = .list(names)
        event.fields["fields_returned"] = .list(names)
        let refused = await #expect(throws: AuditError.self) { try await fixture.log.append(event, using: fixture.appender) }
        #expect(refused?.code == .tooLarge)
        let batch = await #expect(throws: AuditError.self) {
            try await fixture.appender.withTransaction { try await fixture.log.append(contentsOf: [AuditFixture.read(2), event], on: $0) }
        }
        #expect(batch?.code == .tooLarge)
        // Nothing of it was written, and integration goes on.
        try await fixture.appendReads(3..<4)
        try await fixture.integrate(untilSize: 2)
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events").singleValue(Int.self) == 2)
        #expect(try await AuditVerifier(pool: fixture.auditor, logKey: fixture.signer.verifier).verify().findings == [])
        await fixture.shutdown()
    }
}

/// Finding L1: no component role can hold a transaction open (and so hold audit integration
/// back) for longer than its idle-in-transaction timeout.
@Suite("Idle transactions of component roles are ended")
struct IdleTransactionTimeoutTests {
    @Test("Every component role has idle_in_transaction_session_timeout = 30s as its role default")
    func roleDefaults() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let owner = PostgresConnectionPool(configuration: database.configuration, maxConnections: 1)
        let settings = try await owner.query(
            """
            SELECT CAST(r.rolname AS text), array_to_string(s.setconfig, ',')
            FROM pg_catalog.pg_db_role_setting s
            JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
            WHERE s.setdatabase = 0
            """
        ).reduce(into: [String: String]()) { $0[try $1.decode(String.self, at: 0)] = try $1.decode(String.self, at: 1) }
        for component in Component.allCases {
            #expect(settings[component.roleName]?.contains("idle_in_transaction_session_timeout=30s") == true, "\(component.roleName)")
        }
        await owner.shutdown()
        // A component's session starts with it.
        let pool = database.components().makePool(for: .assessment)
        #expect(try await pool.query("SHOW idle_in_transaction_session_timeout").singleValue(String.self) == "30s")
        await pool.shutdown()
    }

    /// The review's demonstration (`BEGIN; … pg_sleep(3600)` as bilet_assessment), with the
    /// timeout shortened for the test: the server ends the idle transaction and its session.
    @Test("A component's transaction left idle is terminated by the server")
    func idleTransactionIsTerminated() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components().makePool(for: .assessment)
        let failure = await #expect(throws: PostgresError.self) {
            try await pool.withTransaction { connection in
                try await connection.execute("SET LOCAL idle_in_transaction_session_timeout = '300ms'")
                try await connection.execute("SELECT 1")
                try await Task.sleep(for: .seconds(2))
                try await connection.execute("SELECT 1")
            }
        }
        #expect(failure != nil)
        await pool.shutdown()
    }
}
