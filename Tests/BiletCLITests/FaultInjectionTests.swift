import Audit
import Foundation
import PupilImport
import Storage
import Testing
import ServeTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Issue #15, part 2: faults injected into a real `bilet serve` and its private PostgreSQL cluster,
/// driven with curl and the development certificates (docs/RELIABILITY.md, "Fault injection").
/// Serialised and run in the timed pass of scripts/test: the tests load the machine and assert
/// bounds.
@Suite(.serialized) struct FaultInjectionTests {
    typealias Run = ServeCommandTests.GatewayRun

    static let officer = "user:usr_compliance_officer_1"
    static let rows = 10_000
    /// Each synthetic row registers two subjects in the vault: the pupil and the guardian.
    static let subjectsPerRow = 2

    /// `kill -9` of the vault process while it stores a 10,000-row import in its transaction.
    @Test func vaultKilledDuringImportStoresAllOrNothing() async throws {
        try await killDuringImport(.vault)
    }

    /// `kill -9` of the gateway process while the vault stores a 10,000-row import it passed on.
    @Test func gatewayKilledDuringImportStoresAllOrNothing() async throws {
        try await killDuringImport(.gateway)
    }

    /// A school starts a 10,000-row import; once the vault's import transaction holds its advisory
    /// locks (it is storing rows), `component` is killed with SIGKILL. The client gets no 2xx, the
    /// supervisor stops the platform (exit 1), and after a restart on the same database the
    /// import is stored completely with its audit records or not at all, the audit log verifies
    /// against its signed checkpoints and the test's time window has no gap.
    func killDuringImport(_ component: TrustDomainName) async throws {
        let run = try Run.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let from = Date()
        var (serve, lines, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let token = try Self.school(run, port: port)
        let victim = try #require(Self.pid(of: component.rawValue, in: lines), "no `component started` line for \(component)")

        let csv = run.directory.path + "/import.csv"
        try Data(SyntheticImport.file(rows: Self.rows, seed: 15)).write(to: URL(fileURLWithPath: csv))
        let answerLog = run.directory.appendingPathComponent("import-answer.log")
        let client = try BiletProcess.start(
            ["-sS", "--max-time", "300", "--cacert", run.certs + "/gateway/ca-bundle.pem", "-w", "\n%{http_code}",
             "--cert", run.certs + "/clients/workstation.pem", "--key", run.certs + "/clients/workstation.key",
             "-X", "POST", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: text/csv", "--data-binary", "@" + csv,
             "https://127.0.0.1:\(port)/v1/pupils/import"],
            environment: [:], log: answerLog, executable: URL(fileURLWithPath: "/usr/bin/curl"))
        defer { if client.process.isRunning { client.process.terminate() } }

        // The vault's import transaction takes per-digest advisory locks before storing anything
        // and holds them until it commits: while any is held, the import is half done.
        let storing = "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'bilet_vault' AND l.locktype = 'advisory'"
        let deadline = Date().addingTimeInterval(240)
        var held = 0
        while client.process.isRunning, Date() < deadline {
            held = Int(try run.sql(storing)) ?? 0
            if held > 0 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        try #require(held > 0, "the import ended before the fault could be injected: \((try? String(contentsOf: answerLog, encoding: .utf8))?.suffix(300) ?? "")")
        #expect(kill(victim, SIGKILL) == 0)

        let stopped = Date().addingTimeInterval(120)
        while (client.process.isRunning || serve.process.isRunning), Date() < stopped { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!client.process.isRunning, "the client hung after the fault")
        #expect(!serve.process.isRunning, "bilet serve did not stop after a component died")
        let answer = (try? String(contentsOf: answerLog, encoding: .utf8)) ?? ""
        let http = answer.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
        #expect(!http.hasPrefix("2"), "the client was told the import succeeded: \(http) \(answer.prefix(300))")
        #expect(serve.process.terminationStatus == 1)
        let firstLog = try String(contentsOf: serve.log, encoding: .utf8)
        let died = ServeRun.records(firstLog.split(separator: "\n").map(String.init), message: "a component stopped by itself; stopping every component")
        #expect(died.first?["component"] as? String == component.rawValue, "\(died)")
        #expect(died.first?["status"] as? String == "\(SIGKILL)", "\(died)")

        // Restarted on the same database: all rows or none, and their audit records with them.
        (serve, lines, ports) = try await run.serve()
        let subjects = try run.sql("SELECT count(*) FROM vault.subjects")
        let imported = try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'pupils.imported'")
        let written = try run.sql("SELECT count(*) FROM audit.events WHERE kind = 'pii.written'")
        let all = "\(Self.rows * Self.subjectsPerRow)"
        #expect(subjects == "0" || subjects == all, "a partial import: \(subjects) of \(all) subjects stored")
        #expect(imported == (subjects == "0" ? "0" : "1"), "\(subjects) subjects, \(imported) pupils.imported records")
        #expect(written == subjects, "\(subjects) subjects, \(written) pii.written records")
        print("fault injection: \(component.rawValue) killed with \(held) advisory locks held; client got \(http); stored \(subjects) of \(all) subjects, \(imported) pupils.imported and \(written) pii.written records")

        try await Self.expectAuditIntact(run, from: from)
        #expect(try serve.terminate() == 0)
    }

    /// The private cluster stopped (`pg_ctl stop -m fast`) for three seconds and started again
    /// under a client loop of authenticated requests (`GET /v1/staff/me`, whose staff session is
    /// resolved in the database, a card read, a one-row import): during the outage every answer
    /// is 503, never 500 and never later than the database's acquire bound (2 s) plus the
    /// client's own overhead; afterwards the same `bilet serve` (not restarted) answers 200 again,
    /// and every import answered 200 is stored.
    @Test func databaseRestartUnderLoadAnswers503AndRecovers() async throws {
        let run = try Run.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let token = try Self.school(run, port: port)
        let pupil = try Self.registeredPupil(run, port: port, token: token)

        let cluster = try LocalCluster(directory: run.directory.path + "/pg", authentication: .scram)
        let outcomes = Outcomes()
        let load = Task.detached {
            var index = 1
            while !Task.isCancelled {
                let started = ContinuousClock.now
                let me = try run.call(port: port, client: "workstation", token: token, "/v1/staff/me")
                outcomes.add(.init(kind: "me", http: me.http, elapsed: ContinuousClock.now - started, at: Date()))
                let readStarted = ContinuousClock.now
                let card = try run.call(port: port, client: "workstation", token: token, "/v1/pupils/\(pupil)?purpose=enrolment&fields=surname")
                outcomes.add(.init(kind: "card", http: card.http, elapsed: ContinuousClock.now - readStarted, at: Date()))
                let writeStarted = ContinuousClock.now
                let write = try Self.importRow(run, port: port, token: token, index: index)
                outcomes.add(.init(kind: "import", http: write.http, elapsed: ContinuousClock.now - writeStarted, at: Date()))
                index += 1
            }
        }
        defer { load.cancel() }
        try await Task.sleep(for: .seconds(2))
        let down = Date()
        try await cluster.stop()
        try await Task.sleep(for: .seconds(3))
        let upAgain = Date()
        try await cluster.start()
        // Back: a session answered 200 by the same process within 30 s of the start.
        let recovered = Date().addingTimeInterval(30)
        while Date() < recovered, !outcomes.all.contains(where: { $0.kind == "me" && $0.http == "200" && $0.at > upAgain }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(1))
        load.cancel()
        _ = await load.result
        #expect(serve.process.isRunning, "bilet serve stopped when its database did")

        let all = outcomes.all
        let during = all.filter { $0.at > down.addingTimeInterval(0.5) && $0.at < upAgain }
        let after = all.filter { $0.at > upAgain }
        #expect(all.allSatisfy { ["200", "503"].contains($0.http) }, "\(all.filter { !["200", "503"].contains($0.http) })")
        #expect(during.count >= 3, "the loop made \(during.count) requests during the outage")
        #expect(during.allSatisfy { $0.http == "503" }, "\(during.filter { $0.http != "503" })")
        #expect(all.allSatisfy { $0.elapsed < .seconds(5) }, "\(all.filter { $0.elapsed >= .seconds(5) })")
        for kind in ["me", "card", "import"] {
            #expect(after.contains { $0.kind == kind && $0.http == "200" }, "no \(kind) answered 200 after the restart: \(after)")
        }

        // Every import answered 200 is stored (and only those: a 503 stored nothing).
        let stored = all.filter { $0.kind == "import" && $0.http == "200" }.count + 1
        #expect(try run.sql("SELECT count(*) FROM vault.subjects") == "\(stored * Self.subjectsPerRow)")
        print("fault injection: database stopped for 3 s under load; \(all.count) requests, \(during.count) during the outage (all 503), \(stored - 1) imports answered 200 and stored, slowest answer \(all.map(\.elapsed).max() ?? .zero)")
        #expect(try serve.terminate() == 0)
    }

    /// The owner holds `LOCK TABLE audit.events IN ACCESS EXCLUSIVE MODE` in an open transaction
    /// (psql, beside the running `bilet serve`): a school's card read cannot append its audit
    /// record and answers `503 unavailable` (the door's one code for an audit or storage failure,
    /// DoorRefusals) within the append's lock bound (500 ms) plus 2 s, returns no field and
    /// leaves no `pii.read` record; once the lock is gone the same read answers 200 and is
    /// recorded. OneDoorTests shows the bound inside the vault; this shows it
    /// through the gateway, the door and the HTTP answer.
    @Test func auditStoreLockedByOwnerAnswers503InTime() async throws {
        let run = try Run.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let token = try Self.school(run, port: port)
        let pupil = try Self.registeredPupil(run, port: port, token: token)
        let card = "/v1/pupils/\(pupil)?purpose=enrolment&fields=surname"
        let reads = "SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND subject = '\(pupil)'"
        let before = try run.sql(reads)

        let holder = try Self.ownerPSQL(
            run, "BEGIN; LOCK TABLE audit.events IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(8); COMMIT;",
            log: run.directory.appendingPathComponent("lock-holder.log"))
        defer { if holder.process.isRunning { holder.process.terminate() } }
        let locked = "SELECT count(*) FROM pg_locks WHERE relation = 'audit.events'::regclass AND mode = 'AccessExclusiveLock' AND granted"
        let deadline = Date().addingTimeInterval(10)
        while try run.sql(locked) != "1", Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        try #require(try run.sql(locked) == "1", "the owner's lock was not taken")

        let started = ContinuousClock.now
        let refused = try run.call(port: port, client: "workstation", token: token, card)
        let elapsed = ContinuousClock.now - started
        #expect(refused.http == "503", "\(refused)")
        #expect(ServeRun.json(refused.body)["code"] as? String == "unavailable", "\(refused)")
        #expect(ServeRun.json(refused.body)["fields"] == nil)
        #expect(elapsed < .milliseconds(500) + .seconds(2), "answered after \(elapsed)")
        #expect(holder.process.isRunning, "the lock was released before the answer: the bound was not what answered")
        print("fault injection: audit store locked by the owner; card read answered \(refused.http) \(ServeRun.json(refused.body)["code"] ?? "") after \(elapsed)")

        let released = Date().addingTimeInterval(30)
        while holder.process.isRunning, Date() < released { try await Task.sleep(for: .milliseconds(100)) }
        #expect(holder.process.terminationStatus == 0, "\((try? String(contentsOf: holder.log, encoding: .utf8)) ?? "")")
        #expect(try run.sql(reads) == before, "the refused read left a record")
        let answered = try run.call(port: port, client: "workstation", token: token, card)
        #expect(answered.http == "200", "\(answered)")
        #expect(try run.sql(reads) == "\((Int(before) ?? 0) + 1)")
        #expect(try serve.terminate() == 0)
    }

    /// `statement` in psql as the private cluster's owner, in the background (output to `log`).
    static func ownerPSQL(_ run: Run, _ statement: String, log: URL) throws -> BiletProcess {
        let cluster = try LocalCluster(directory: run.directory.path + "/pg", authentication: .scram)
        let password = try DatabaseCredentials(directory: cluster.directory).password(forRole: "owner")
        return try BiletProcess.start(
            ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", statement, cluster.connectionString(database: "bilet")],
            environment: ["PGPASSWORD": password], log: log,
            executable: URL(fileURLWithPath: try PostgresBinaries.locate().directory + "/psql"))
    }

    /// The school `school.a` added, the vault initialised and the school signed in on `port`:
    /// the staff session's token.
    static func school(_ run: Run, port: Int) throws -> String {
        let add = try run.addAccount("school.a", role: "school", organisation: "bilet://school/77-0001", region: "77")
        try #require(add.status == 0, "\(add.output)")
        try run.initialiseVault()
        return try run.signIn(port: port, "school.a", client: "workstation")
    }

    /// The synthetic pupil 0 (seed 3) imported by the school: the pupil's token.
    static func registeredPupil(_ run: Run, port: Int, token: String) throws -> String {
        let first = try importRow(run, port: port, token: token, index: 0)
        try #require(first.http == "200", "\(first)")
        return try #require((ServeRun.json(first.body)["tokens"] as? [String])?.first)
    }

    /// A one-row import of the synthetic pupil `index` (seed 3): the HTTP status and body.
    static func importRow(_ run: Run, port: Int, token: String, index: Int) throws -> (http: String, body: String) {
        let path = run.directory.path + "/row-\(index).csv"
        try Data((SyntheticImport.header + "\r\n" + SyntheticImport.row(index, seed: 3) + "\r\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try run.call(port: port, client: "workstation", token: token, "/v1/pupils/import", method: "POST", type: "text/csv", body: "@" + path)
    }

    /// One request of a client loop: what it asked, the status, how long it took and when it ended.
    struct Outcome: Sendable, CustomStringConvertible {
        let kind: String
        let http: String
        let elapsed: Duration
        let at: Date

        var description: String { "\(kind) \(http) \(elapsed)" }
    }

    /// The outcomes a client loop collects while the test watches.
    final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private var outcomes: [Outcome] = []

        func add(_ outcome: Outcome) { lock.withLock { outcomes.append(outcome) } }
        var all: [Outcome] { lock.withLock { outcomes } }
    }

    /// Waits until the sequencer of the running `bilet serve` has signed a checkpoint over every
    /// recorded event, then checks the whole log (`bilet audit verify` against the development
    /// key and the checkpoint saved outside the database) and the window from `from` to now
    /// (`bilet audit gaps`: every event in it is in the signed tree, none pending).
    static func expectAuditIntact(_ run: Run, from: Date) async throws {
        let integrated = "SELECT (SELECT count(*) FROM audit.events) = (SELECT coalesce(max(tree_size), 0) FROM audit.checkpoints)"
        let deadline = Date().addingTimeInterval(60)
        while try run.sql(integrated) != "t", Date() < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(try run.sql(integrated) == "t", "the sequencer did not sign every event within a minute")
        let to = Date()
        try await Task.sleep(for: .milliseconds(20))
        let key = try run.bilet(["audit", "key", "--config", run.config])
        try #require(key.status == 0, "\(key.output)")
        let vkey = try #require(key.output.split(separator: "\n").last.map(String.init))
        let common = ["--config", run.config, "--officer", officer]
        let verify = try run.bilet(["audit", "verify", "--key", vkey, "--saved", run.directory.path + "/checkpoints/latest"] + common)
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("OK: every record matches its leaf and every checkpoint's signed root"), "\(verify.output)")
        // The window's end is proven by the first leaf after it (verify's own record) being signed.
        while try run.sql(integrated) != "t", Date() < deadline.addingTimeInterval(30) { try await Task.sleep(for: .milliseconds(200)) }
        let gaps = try run.bilet(["audit", "gaps", "--from", AuditTime.format(from), "--to", AuditTime.format(to)] + common)
        #expect(gaps.status == 0, "\(gaps.output)")
        #expect(gaps.output.contains("not yet integrated: 0"), "\(gaps.output)")
        #expect(gaps.output.contains("OK: the window is complete"), "\(gaps.output)")
    }

    /// The process id of `component` from the serve log's `component started` line.
    static func pid(of component: String, in lines: [String]) -> pid_t? {
        ServeRun.records(lines, message: "component started")
            .first { $0["component"] as? String == component }
            .flatMap { ($0["pid"] as? String).flatMap { pid_t($0) } }
    }

    /// The trust domains a fault is injected into.
    enum TrustDomainName: String {
        case vault, gateway
    }
}
