import Audit
import DatabaseTestSupport
import Foundation
import PostgreSQL
import Storage
import Testing

/// The lock bound for batches is tested with the single append's, in AppendGuaranteesTests.
@Suite("Batched append: one round trip, all or nothing, same guarantees as a single append")
struct BatchAppendTests {
    /// The subjects of the integrated leaves, in leaf order.
    static func leafSubjects(_ fixture: AuditFixture) async throws -> [String?] {
        try await fixture.superuser.query(
            "SELECT e.subject FROM audit.leaves l JOIN audit.events e ON e.id = l.event_id ORDER BY l.leaf_index"
        ).map { try $0.decode(String?.self, at: 0) }
    }

    @Test("A batch of N lands as N consecutive records in order, between the events around it, and the tree verifies")
    func batchLandsConsecutively() async throws {
        let fixture = try await AuditFixture.make(batchSize: 4)
        try await fixture.appendReads(0..<2)
        try await fixture.appender.withTransaction { connection in
            try await fixture.log.append(contentsOf: (10..<17).map { AuditFixture.read($0) }, on: connection)
        }
        try await fixture.appendReads(2..<3)
        try await fixture.integrate(untilSize: 10)
        #expect(try await Self.leafSubjects(fixture) == ([0, 1] + Array(10..<17) + [2]).map(AuditFixture.token))
        let stored = try await fixture.superuser.query(
            """
            SELECT kind, catalogue_version, actor, decision, purpose, CAST(payload AS text) FROM audit.events
            WHERE subject = \(AuditFixture.token(13))
            """)
        #expect(stored.count == 1)
        let row = try #require(stored.first)
        #expect(try row.decode(String.self, at: 0) == "pii.read")
        #expect(try row.decode(Int.self, at: 1) == AuditCatalogue.current.version)
        #expect(try row.decode(String.self, at: 2) == "bilet://school/77-1234/ws/3")
        #expect(try row.decode(String.self, at: 3) == "permit")
        #expect(try row.decode(String.self, at: 4) == "career_guidance")
        // The payload is the same jsonb a single append stores.
        let single = try await fixture.superuser.query(
            "SELECT CAST(payload AS text) FROM audit.events WHERE subject = \(AuditFixture.token(0))").singleValue(String.self)
        #expect(try row.decode(String.self, at: 5) == single.replacingOccurrences(of: "00000000", with: "00000013"))
        let report = try await AuditVerifier(pool: fixture.auditor, logKey: fixture.signer.verifier).verify()
        #expect(report.findings == [])
        #expect(report.recordsChecked == 10)
        await fixture.shutdown()
    }

    @Test("Events without a subject or with optional attributes absent are stored as NULL, as a single append stores them")
    func absentAttributes() async throws {
        let fixture = try await AuditFixture.make()
        let events = [
            AuditEvent(type: "vault.sealed", actor: "service:test", fields: ["previous_state": .string("unsealed")]),
            AuditEvent(type: "auth.failed", actor: "user:usr_1", fields: ["method": .string("password"), "reason": .string("wrong_password")]),
        ]
        try await fixture.appender.withTransaction { try await fixture.log.append(contentsOf: events, on: $0) }
        let rows = try await fixture.superuser.query(
            "SELECT kind, subject IS NULL AND decision IS NULL AND purpose IS NULL FROM audit.events ORDER BY id")
        #expect(try rows.map { try $0.decode(String.self, at: 0) } == ["vault.sealed", "auth.failed"])
        #expect(try rows.map { try $0.decode(Bool.self, at: 1) } == [true, true])
        await fixture.shutdown()
    }

    @Test("One invalid event refuses the whole batch before anything is sent: nothing written, a typed error naming its index")
    func invalidEventRefusesAll() async throws {
        let fixture = try await AuditFixture.make()
        var events = (0..<5).map { AuditFixture.read($0) }
        events[3].fields["note"] = .string("Иванова Анна, 5 Б")
        let error = await #expect(throws: AuditError.self) {
            try await fixture.appender.withTransaction { connection in
                try await fixture.log.append(contentsOf: events, on: connection)
            }
        }
        #expect(error?.code == .invalidEvent)
        #expect(error?.reason == "event 3 of 5: pii.read: unknown field (not in catalogue v\(AuditCatalogue.current.version))")
        #expect(error.map { !$0.description.contains("Иванова") } == true)
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events").singleValue(Int.self) == 0)
        await fixture.shutdown()
    }

    @Test("An empty batch sends nothing and a batch of one is a single append")
    func emptyAndSingle() async throws {
        let fixture = try await AuditFixture.make()
        try await fixture.appender.withTransaction { connection in
            try await fixture.log.append(contentsOf: [], on: connection)
            try await fixture.log.append(contentsOf: [AuditFixture.read(1)], on: connection)
        }
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events").singleValue(Int.self) == 1)
        await fixture.shutdown()
    }

    @Test("The batch function refuses what is not an array of event objects, and only appenders may call it")
    func functionGuards() async throws {
        let fixture = try await AuditFixture.make()
        for payload in [#"{"kind":"pii.read"}"#, #"["pii.read"]"#] {
            let error = await #expect(throws: PostgresError.self) {
                try await fixture.appender.execute("SELECT audit.append_batch(2, CAST(\(payload) AS jsonb), 100)")
            }
            #expect(error?.code == .server(SQLState(rawValue: "22023")))  // invalid_parameter_value
        }
        let module = fixture.database.components().makePool(for: .assessment)
        let refused = await #expect(throws: PostgresError.self) {
            try await module.execute("SELECT audit.append_batch(2, CAST('[]' AS jsonb), 100)")
        }
        #expect(refused?.code == .server(.insufficientPrivilege))
        await module.shutdown()
        #expect(try await fixture.superuser.query("SELECT count(*) FROM audit.events").singleValue(Int.self) == 0)
        await fixture.shutdown()
    }
}
