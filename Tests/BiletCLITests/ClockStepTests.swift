import Foundation
import Testing
import ServeTestSupport

/// Issue #15, part 2: the clock of a running `bilet serve` stepped back an hour, with libfaketime
/// (Debian package `faketime`, installed by scripts/bootstrap). Every process named `bilet` (the
/// supervisor and, through its environment, each component) reads its wall clock with the offset
/// in a file the test rewrites while they run; PostgreSQL, curl, psql and the CLI keep the real
/// clock. Monotonic clocks are not touched, as a real step leaves them alone. In the timed pass of
/// scripts/test (it waits for the sequencer and asserts time bounds).
@Suite(.serialized) struct ClockStepTests {
    static let libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
    static let officer = "user:usr_compliance_officer_1"

    @Test func clockSteppedBackAnHourLeavesCheckpointsCertificatesAndSessionsRight() async throws {
        try #require(FileManager.default.fileExists(atPath: Self.libfaketime), "run ./scripts/bootstrap: libfaketime is missing")
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()

        let offset = run.directory.path + "/faketime-offset"
        try "+0\n".write(toFile: offset, atomically: true, encoding: .utf8)
        let environment = run.environment.merging([
            "LD_PRELOAD": Self.libfaketime, "FAKETIME_TIMESTAMP_FILE": offset, "FAKETIME_CACHE_DURATION": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1", "FAKETIME_ONLY_CMDS": "bilet",
        ]) { $1 }
        let log = run.directory.appendingPathComponent("serve.log")
        let serve = try BiletProcess.start(["serve", "--config", run.config], environment: environment, log: log)
        defer { serve.stopIfRunning() }
        let lines = try await serve.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        let port = try #require(
            ServeRun.records(lines, message: "gateway listening").first { $0["tls.listener"] as? String == "workstations" }
                .flatMap { ($0["port"] as? String).flatMap(Int.init) })
        let added = try run.addAccount("school.a", role: "school", organisation: "bilet://school/77-0001", region: "77")
        try #require(added.status == 0, "\(added.output)")
        try run.initialiseVault()
        let token = try run.signIn(port: port, "school.a", client: "workstation")
        let session = "SELECT expires_at FROM accounts.sessions WHERE ended_at IS NULL ORDER BY expires_at DESC LIMIT 1"
        let expiresAt = try run.sql(session)
        try await Self.waitUntilSigned(run)
        let before = Int(try run.sql("SELECT max(sequence) FROM audit.checkpoints")) ?? 0
        #expect(before >= 1)

        // The step: every `bilet` process reads a clock an hour behind from now on.
        try "-3600\n".write(toFile: offset, atomically: true, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(2_500))

        // The certificates were issued by dev-setup, valid from five minutes before it ran: by the
        // stepped clock not yet. The workstation's chain, verified before the step, stays accepted
        // (valid by the real time, which the gateway's steady clock keeps); a chain not seen before
        // is checked by GnuTLS against the stepped wall clock and refused as not yet valid: fail closed.
        let known = try run.curl(port: port, path: "/v1/whoami", client: "workstation")
        #expect(known.http == "200", "\(known)")
        let me = try run.call(port: port, client: "workstation", token: token, "/v1/staff/me")
        #expect(me.http == "200", "\(me)")
        let refused = try run.curl(port: port, path: "/v1/whoami", client: "school-b")
        #expect(refused.http == "000", "the gateway accepted a new certificate not yet valid by its clock: \(refused)")
        let refusals = ServeRun.records(try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init),
            message: "tls client certificate refused")
        #expect(refusals.last?["tls.refusal"] as? String == "not-yet-valid", "\(refusals)")

        // Events recorded after the step (an account added with the CLI, which keeps the real
        // clock) are to be signed into new checkpoints by the stepped sequencer, whose times do not
        // go back, and the log verifies.
        let second = try run.addAccount("school.b", role: "school", organisation: "bilet://school/77-0001", region: "77")
        try #require(second.status == 0, "\(second.output)")
        // libfaketime 0.9.10 also moves absolute CLOCK_BOOTTIME timers (timerfd_settime) by its
        // offset, although monotonic clocks are not faked (FAKETIME_DONT_FAKE_MONOTONIC): the
        // Dispatch timers behind Task.sleep then wait an hour, which a real step of the wall clock
        // does not cause (strace shows the deadline moved by 3,600 s). The stepped sequencer's
        // polling loop stalls here for that reason; the rule it follows after a step is shown
        // without libfaketime by AppendAndSequenceTests.checkpointTimeNeverGoesBack.
        var after = before
        await withKnownIssue("libfaketime moves CLOCK_BOOTTIME timers by its offset", isIntermittent: true) {
            try await Self.waitUntilSigned(run, within: 15)
            after = Int(try run.sql("SELECT max(sequence) FROM audit.checkpoints")) ?? 0
            #expect(after > before, "the sequencer signed no checkpoint after the step: \(Self.sequencerLines(log))")
        }
        let backwards = try run.sql(
            "SELECT count(*) FROM (SELECT signed_at < lag(signed_at) OVER (ORDER BY sequence) AS back FROM audit.checkpoints) c WHERE back")
        #expect(backwards == "0", "a checkpoint was signed with a time before the previous one's")
        let latestIsRecent = try run.sql(
            "SELECT signed_at > clock_timestamp() - interval '10 minutes' FROM audit.checkpoints ORDER BY sequence DESC LIMIT 1")
        #expect(latestIsRecent == "t", "the latest checkpoint carries the stepped clock's time")
        let key = try run.bilet(["audit", "key", "--config", run.config])
        try #require(key.status == 0, "\(key.output)")
        let verifyingKey = try #require(key.output.split(separator: "\n").last.map(String.init))
        let verify = try run.bilet(
            ["audit", "verify", "--key", verifyingKey, "--saved", run.directory.path + "/checkpoints/latest", "--config", run.config,
             "--officer", Self.officer])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("OK: every record matches its leaf and every checkpoint's signed root"), "\(verify.output)")

        // The staff session's deadlines are the database's: the step did not move them.
        #expect(try run.sql(session) == expiresAt)
        #expect(try run.sql("SELECT bool_and(last_seen <= clock_timestamp()) FROM accounts.sessions") == "t")

        // The clock put right: the new certificate is accepted too, the session's end unchanged.
        try "+0\n".write(toFile: offset, atomically: true, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(2_500))
        let accepted = try run.curl(port: port, path: "/v1/whoami", client: "school-b")
        #expect(accepted.http == "200", "\(accepted)")
        let again = try run.call(port: port, client: "workstation", token: token, "/v1/staff/me")
        #expect(again.http == "200", "\(again)")
        #expect(try run.sql(session) == expiresAt)
        print("clock step: checkpoints \(before) before the step, \(after) after; new chain refused (\(refusals.last?["tls.refusal"] ?? "")); verify OK")
    }

    /// The serve log's lines of the sequencer after its start (for a failure's message).
    static func sequencerLines(_ log: URL) -> [String] {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            .filter { $0.contains("\"component\":\"sequencer\"") && !$0.contains("component ready") }
    }

    /// Waits (bounded) until the latest checkpoint covers every recorded event.
    static func waitUntilSigned(_ run: ServeRun, within seconds: TimeInterval = 60) async throws {
        let integrated = "SELECT (SELECT count(*) FROM audit.events) = (SELECT coalesce(max(tree_size), 0) FROM audit.checkpoints)"
        let deadline = Date().addingTimeInterval(seconds)
        while try run.sql(integrated) != "t", Date() < deadline { try await Task.sleep(for: .milliseconds(200)) }
        #expect(try run.sql(integrated) == "t", "the sequencer did not sign every event within \(Int(seconds)) s")
    }
}
