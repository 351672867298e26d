import Audit
import DatabaseTestSupport
import Foundation
import PostgreSQL
import Storage
import Testing

@Suite("Append guarantees: bounded failure, same transaction, least privilege, commit order")
struct AppendGuaranteesTests {
    /// The bounds below are 300 ms; the limits leave room for the whole test suite running on
    /// two cores at the same time (thread start-up and scheduling), and are still far below the
    /// seconds a hanging request would take.
    static let limit: Duration = .seconds(5)

    @Test(
        "A locked audit table makes the append (one event, or a batch), and the action in its transaction, fail within the bound",
        arguments: [1, 3])
    func lockedStoreFailsFast(events: Int) async throws {
        let fixture = try await AuditFixture.make(appenderRole: .vault)
        let log = AuditLog(lockTimeout: .milliseconds(300))
        let batch = (1...events).map { AuditFixture.read($0) }
        func append(on connection: PostgresConnection) async throws {
            if events == 1 { try await log.append(batch[0], on: connection) } else { try await log.append(contentsOf: batch, on: connection) }
        }
        let subject = UUID()
        try await fixture.superuser.withTransaction { locker in
            try await locker.execute("LOCK TABLE audit.events IN ACCESS EXCLUSIVE MODE")
            let started = ContinuousClock.now
            let error = await #expect(throws: AuditError.self) {
                try await fixture.appender.withTransaction { connection in
                    // The smallest valid row since migration 0200: an erased subject has no data key.
                    try await connection.execute(
                        """
                        INSERT INTO vault.subjects (id, kind, token, created_by, erased_at)
                        VALUES (\(subject), 'pupil', 'sub_AAAAAAAAAAAAAAAAAAAAAA', 'test:audit', now())
                        """)
                    try await append(on: connection)
                }
            }
            let elapsed = started.duration(to: .now)
            #expect(error?.code == .unavailable)
            #expect(elapsed < Self.limit, "took \(elapsed)")
        }
        // The action that needed the record did not happen.
        let count = try await fixture.superuser.query("SELECT count(*) FROM vault.subjects").singleValue(Int.self)
        #expect(count == 0)
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events").singleValue(Int.self) == 0)
        // Once the lock is gone the same append works.
        try await fixture.appender.withTransaction { try await append(on: $0) }
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events").singleValue(Int.self) == events)
        await fixture.shutdown()
    }

    @Test("An unreachable audit store fails at once with unavailable")
    func unreachableStore() async throws {
        let pool = PostgresConnectionPool(
            configuration: PostgresConfiguration(
                connectionString: "host=/nonexistent/bilet-socket dbname=bilet user=bilet_gateway", connectTimeoutSeconds: 1),
            maxConnections: 1, acquireTimeout: .milliseconds(300))
        let started = ContinuousClock.now
        let error = await #expect(throws: AuditError.self) { try await AuditLog().append(AuditFixture.read(1), using: pool) }
        #expect(error?.code == .unavailable)
        #expect(started.duration(to: .now) < Self.limit)
        await pool.shutdown()
    }

    @Test("When every connection stays busy the append fails with unavailable after the pool's bound")
    func exhaustedPool() async throws {
        let fixture = try await AuditFixture.make()
        let pool = PostgresConnectionPool(
            configuration: fixture.database.configuration(as: "bilet_gateway"), maxConnections: 1, acquireTimeout: .milliseconds(300))
        try await pool.withConnection { _ in
            let started = ContinuousClock.now
            let error = await #expect(throws: AuditError.self) { try await AuditLog().append(AuditFixture.read(1), using: pool) }
            #expect(error?.code == .unavailable)
            #expect(started.duration(to: .now) < Self.limit)
        }
        await pool.shutdown()
        await fixture.shutdown()
    }

    @Test("An event and its action commit or roll back together")
    func sameTransaction() async throws {
        let fixture = try await AuditFixture.make(appenderRole: .vault)
        struct Abort: Error {}
        await #expect(throws: Abort.self) {
            try await fixture.appender.withTransaction { connection in
                try await fixture.log.append(AuditFixture.read(1), on: connection)
                throw Abort()
            }
        }
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events").singleValue(Int.self) == 0)
        try await fixture.appender.withTransaction { connection in
            try await connection.execute(
                """
                INSERT INTO vault.subjects (kind, token, created_by, erased_at)
                VALUES ('pupil', 'sub_AAAAAAAAAAAAAAAAAAAAAA', 'test:audit', now())
                """)
            try await fixture.log.append(AuditFixture.read(2), on: connection)
        }
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events").singleValue(Int.self) == 1)
        await fixture.shutdown()
    }

    static let appenderStatements: [SQLStatement] = [
        "SELECT count(*) FROM audit.events",
        "UPDATE audit.events SET actor = 'user:x'",
        "DELETE FROM audit.events",
        "TRUNCATE audit.events",
        "INSERT INTO audit.events (kind, xid) VALUES ('pii.read', '1')",
        "INSERT INTO audit.events (kind, recorded_at) VALUES ('pii.read', now())",
        "SELECT count(*) FROM audit.leaves",
        "INSERT INTO audit.leaves VALUES (0, 1, '1', '\\x00', '\\x00')",
        "INSERT INTO audit.checkpoints VALUES (1, 0, '\\x00', now(), '')",
        "SELECT audit.prune_expired_payloads('r', 'x', 10)",
    ]

    static let sequencerStatements: [SQLStatement] = [
        "UPDATE audit.events SET actor = 'user:x'",
        "DELETE FROM audit.events",
        "UPDATE audit.leaves SET leaf_hash = leaf_hash",
        "DELETE FROM audit.leaves",
        "UPDATE audit.tree_nodes SET hash = hash",
        "DELETE FROM audit.tree_nodes",
        "UPDATE audit.checkpoints SET note = note",
        "DELETE FROM audit.checkpoints",
        "TRUNCATE audit.checkpoints",
        "DELETE FROM audit.destruction_register",
        "UPDATE audit.retention_terms SET term = interval '1 second'",
    ]

    @Test("Application roles may only append; the sequencer may only read and append")
    func leastPrivilege() async throws {
        let fixture = try await AuditFixture.make()
        try await fixture.appendReads(0..<3)
        try await fixture.integrate(untilSize: 3)
        for (pool, statements) in [(fixture.appender, Self.appenderStatements), (fixture.auditor, Self.sequencerStatements)] {
            for statement in statements {
                let error = await #expect(throws: PostgresError.self, "\(statement)") {
                    try await pool.execute(statement)
                }
                #expect(error?.code == .server(.insufficientPrivilege), "\(statement)")
            }
        }
        await fixture.shutdown()
    }

    @Test("A transaction that commits late is integrated, and a rolled-back one never stalls the sequencer")
    func commitOrder() async throws {
        let fixture = try await AuditFixture.make()
        let early = try await fixture.appender.withConnection { connection in
            try await connection.execute("BEGIN")
            try await fixture.log.append(AuditFixture.read(1), on: connection)  // lower id, commits last
            try await fixture.log.append(AuditFixture.read(2), using: fixture.appender)
            // While the first transaction is open nothing after it may be integrated.
            let batch = try await fixture.sequencer.integrate()
            #expect(batch.treeSize == 0)
            try await connection.execute("COMMIT")
            return true
        }
        #expect(early)
        try await fixture.integrate(untilSize: 2)
        // A rolled-back append leaves a gap in ids, which must not hold anything back.
        try? await fixture.appender.withTransaction { connection in
            try await fixture.log.append(AuditFixture.read(3), on: connection)
            throw CancellationError()
        }
        try await fixture.log.append(AuditFixture.read(4), using: fixture.appender)
        try await fixture.integrate(untilSize: 3)
        let subjects = try await fixture.superuser.query(
            "SELECT e.subject FROM audit.leaves l JOIN audit.events e ON e.id = l.event_id ORDER BY l.leaf_index")
        #expect(try subjects.map { try $0.decode(String.self, at: 0) } == [1, 2, 4].map(AuditFixture.token))
        let report = try await AuditVerifier(pool: fixture.auditor, logKey: fixture.signer.verifier).verify()
        #expect(report.findings == [])
        await fixture.shutdown()
    }
}
