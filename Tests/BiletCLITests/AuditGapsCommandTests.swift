import Audit
import DatabaseTestSupport
import Foundation
import PostgreSQL
import Storage
import Testing
import ServeTestSupport

/// `bilet audit gaps` run as the real binary: its exit status tells a complete window (0) from one
/// not provable yet (3) and one with records missing or altered (2), and its proof file checks
/// offline with `verify-proof`.
@Suite("bilet audit gaps")
struct AuditGapsCommandTests {
    static let officer = "user:usr_compliance_officer_1"
    static let origin = "bilet.test/audit"

    static func read(_ n: Int) -> AuditEvent {
        AuditEvent(
            type: "pii.read", actor: "bilet://school/77-1234/ws/3", subject: "sub_" + String(repeating: "g", count: 12) + String(format: "%08d", n),
            decision: "permit", purpose: "career_guidance",
            fields: [
                "fields_requested": .list(["birth_date"]), "fields_returned": .list(["birth_date"]),
                "consent": .string("con_" + String(repeating: "c", count: 12) + String(format: "%08d", n)),
            ])
    }

    @Test("Exit status 0 for a complete window, 3 while an event waits, 2 for a deleted record")
    func exitStatus() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let url = database.cluster.connectionString(database: database.name)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-gaps-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let key = folder.appendingPathComponent("log.pem").path
        let keygen = try BiletProcess.run(["audit", "keygen", "--origin", Self.origin, "--out", key], environment: [:])
        #expect(keygen.status == 0, "\(keygen.output)")
        let vkey = try #require(keygen.output.split(separator: "\n").last.map(String.init))

        let appender = database.components().makePool(for: .vault)
        let superuser = PostgresConnectionPool(configuration: database.configuration, maxConnections: 1)
        let log = AuditLog()
        for n in 0..<2 { try await log.append(Self.read(n), using: appender) }
        try await Task.sleep(for: .milliseconds(20))
        let from = Date()
        try await Task.sleep(for: .milliseconds(20))
        for n in 2..<5 { try await log.append(Self.read(n), using: appender) }
        try await Task.sleep(for: .milliseconds(20))
        let to = Date()
        try await Task.sleep(for: .milliseconds(20))
        for n in 5..<7 { try await log.append(Self.read(n), using: appender) }

        let common = ["--database-url", url, "--officer", Self.officer]
        // Other tests' open transactions can hold integration back for a moment.
        for _ in 0..<50 {
            let sequence = try BiletProcess.run(
                ["audit", "sequence", "--once", "--signing-key", key, "--origin", Self.origin,
                 "--checkpoints", folder.appendingPathComponent("checkpoints").path] + common,
                environment: [:])
            #expect(sequence.status == 0, "\(sequence.output)")
            if try await superuser.query("SELECT count(*) FROM audit.checkpoints WHERE tree_size >= 7").singleValue(Int.self) > 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }

        let proof = folder.appendingPathComponent("gaps.json").path
        let window = ["audit", "gaps", "--from", AuditTime.format(from), "--to", AuditTime.format(to)] + common
        let complete = try BiletProcess.run(window + ["--proof", proof], environment: [:])
        #expect(complete.status == 0, "\(complete.output)")
        #expect(complete.output.contains("events in window: 3, leaf indices 2...4; not yet integrated: 0"))
        #expect(complete.output.contains("OK: the window is complete"))
        let checked = try BiletProcess.run(["audit", "verify-proof", "--proof", proof, "--key", vkey], environment: [:])
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.contains("spans leaves 2...4"))

        let leaf3 = try await superuser.query("SELECT event_id FROM audit.leaves WHERE leaf_index = 3").singleValue(Int64.self)
        let inside = from.addingTimeInterval(to.timeIntervalSince(from) / 2)
        try await superuser.execute(
            """
            INSERT INTO audit.events (recorded_at, kind, catalogue_version, actor, subject, decision, purpose, payload)
            SELECT \(inside), kind, catalogue_version, actor, subject, decision, purpose, payload FROM audit.events WHERE id = \(leaf3)
            """)
        let pending = try BiletProcess.run(window, environment: [:])
        #expect(pending.status == 3, "\(pending.output)")
        #expect(pending.output.contains("INCOMPLETE (pending)"))

        try await superuser.execute("DELETE FROM audit.events WHERE id = \(leaf3)")
        let tampered = try BiletProcess.run(window, environment: [:])
        #expect(tampered.status == 2, "\(tampered.output)")
        #expect(tampered.output.contains("record deleted: leaf 3 (event \(leaf3)) has no record"))

        let help = try BiletProcess.run(["audit", "gaps", "--help"], environment: [:])
        #expect(help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("Exit status: 0 complete; 2 records of the window are missing or altered; 3 not provable yet"))
        await appender.shutdown()
        await superuser.shutdown()
    }
}
