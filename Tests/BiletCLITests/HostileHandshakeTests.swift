import Foundation
import ServeTestSupport
import Testing

/// Issue #15: hostile TLS handshakes against a real `bilet serve`'s gateway, scripted with
/// tlslite-ng (`Tests/Tools/hostile-handshake.py`, run from the repository's `.venv`, which
/// `scripts/bootstrap` fills). Each attack must end in a refusal (an alert or a close) or the
/// handshake timeout (10 s), while curl with a workstation certificate keeps being served, every
/// half second during the attack and once after it (docs/RELIABILITY.md, "Hostile handshakes").
/// Serialised and in the timed pass of scripts/test: the assertions are time bounds.
@Suite(.serialized) struct HostileHandshakeTests {
    /// What the script reports (the fields the assertions use).
    struct Report: Decodable {
        struct Victim: Decodable {
            let http: String
            let seconds: Double
        }
        let attack: String
        let outcome: String
        let alert: String?
        let seconds: Double
        let victims: [Victim]
        let victimAfter: Victim
        let sent: Int?
        let serverHello: Bool?
        let connections: Int?
        let closedAtOnce: Int?
        let closedLater: Int?
        let firstLaterClose: Double?
        let lastClose: Double?
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let script = root.appendingPathComponent("Tests/Tools/hostile-handshake.py").path
    static let python = root.appendingPathComponent(".venv/bin/python")

    /// The handshake timeout of every listener (`ListenerLimits`), and how late a close may come after it.
    static let handshakeTimeout = 10.0
    static let slack = 3.0
    /// The bound on each normal request made during and after an attack.
    static let victimBound = 3.0

    /// A running `bilet serve` with the workstation key also in the form tlslite-ng reads.
    struct Target {
        let run: ServeRun
        let serve: BiletProcess
        let workstations: Int
        let pupils: Int
        let tlsliteKey: String

        static func start() async throws -> Target {
            #expect(FileManager.default.isExecutableFile(atPath: HostileHandshakeTests.python.path), "run ./scripts/bootstrap: .venv has no python")
            let run = try ServeRun.make()
            try run.prepare()
            let (serve, _, ports) = try await run.serve()
            let key = run.directory.path + "/workstation-sec1.key"
            let converted = try BiletProcess.run(
                ["ec", "-in", run.certs + "/clients/workstation.key", "-out", key], environment: [:],
                executable: URL(fileURLWithPath: "/usr/bin/openssl"))
            try #require(converted.status == 0, "\(converted.output)")
            return Target(
                run: run, serve: serve, workstations: try #require(ports["workstations"]), pupils: try #require(ports["pupils"]),
                tlsliteKey: key)
        }

        func stop() {
            serve.stopIfRunning()
            try? FileManager.default.removeItem(at: run.directory)
        }

        /// Runs one attack against `port` (the workstations' listener unless said otherwise).
        func attack(_ name: String, port: Int? = nil, count: Int? = nil) throws -> Report {
            var arguments = [
                HostileHandshakeTests.script, name, "\(port ?? workstations)", "--victim-port", "\(workstations)",
                "--cafile", run.certs + "/gateway/ca-bundle.pem", "--cert", run.certs + "/clients/workstation.pem",
                "--key", tlsliteKey, "--victim-key", run.certs + "/clients/workstation.key",
            ]
            if let count { arguments += ["--count", "\(count)"] }
            let result = try BiletProcess.run(arguments, environment: [:], executable: HostileHandshakeTests.python)
            let last = result.output.split(separator: "\n").last.map(String.init) ?? ""
            let report = try JSONDecoder().decode(Report.self, from: Data(last.utf8))
            print("hostile handshake: \(last)")
            return report
        }
    }

    /// Every normal request during and after the attack answered 200 within the bound.
    static func expectVictimsServed(_ report: Report) {
        #expect(!report.victims.isEmpty, "\(report.attack): no request was made during the attack")
        for victim in report.victims + [report.victimAfter] {
            #expect(victim.http == "200", "\(report.attack): a normal request was harmed: \(victim.http)")
            #expect(victim.seconds < victimBound, "\(report.attack): a normal request took \(victim.seconds) s")
        }
    }

    static func expectCutByTheHandshakeTimeout(_ report: Report) {
        #expect(report.outcome == "closed", "\(report.attack): \(report.outcome)")
        #expect(report.seconds >= handshakeTimeout - 0.5, "\(report.attack): closed after \(report.seconds) s")
        #expect(report.seconds < handshakeTimeout + slack, "\(report.attack): closed after \(report.seconds) s")
    }

    /// Records fragmented to one byte, with and without a warning alert before each; warning alerts
    /// by the thousand before the ClientHello.
    @Test func fragmentedRecordsAndAlerts() async throws {
        let target = try await Target.start()
        defer { target.stop() }

        // One-byte records are legal: the server answers the ClientHello (a ServerHello), then the
        // script never goes on and the handshake timeout closes the connection.
        let fragmented = try target.attack("fragmented")
        #expect(fragmented.serverHello == true, "the one-byte records were not reassembled")
        Self.expectCutByTheHandshakeTimeout(fragmented)
        Self.expectVictimsServed(fragmented)

        for attack in ["fragmented-alerts", "warning-alert-flood"] {
            let report = try target.attack(attack)
            #expect(report.outcome == "alert", "\(attack): \(report.outcome)")
            #expect(report.alert == "fatal unexpected_message", "\(attack): \(report.alert ?? "none")")
            #expect(report.seconds < 2, "\(attack): \(report.seconds) s")
            Self.expectVictimsServed(report)
        }
    }

    /// TLS 1.2 renegotiation, a ClientHello inside a TLS 1.3 session, and a KeyUpdate flood.
    @Test func renegotiationAndPostHandshakeMessages() async throws {
        let target = try await Target.start()
        defer { target.stop() }

        let renegotiation = try target.attack("renegotiation")
        #expect(renegotiation.outcome == "alert")
        #expect(renegotiation.alert == "fatal no_renegotiation", "\(renegotiation.alert ?? "none")")
        #expect(renegotiation.seconds < 2)
        Self.expectVictimsServed(renegotiation)

        // TLS 1.3 on the pupils' listener (no client certificate needed to finish the handshake).
        let hello = try target.attack("tls13-client-hello", port: target.pupils)
        #expect(hello.outcome == "closed", "\(hello.outcome) \(hello.alert ?? "")")
        #expect(hello.seconds < 2)
        Self.expectVictimsServed(hello)

        let keyUpdates = try target.attack("key-update-flood", port: target.pupils, count: 10_000)
        #expect(keyUpdates.outcome == "closed", "\(keyUpdates.outcome) \(keyUpdates.alert ?? "")")
        #expect((keyUpdates.sent ?? .max) < 10_000, "the server took every KeyUpdate")
        #expect(keyUpdates.seconds < 2)
        Self.expectVictimsServed(keyUpdates)
    }

    /// Client certificate chains: 40 copies of the issuing CA after the leaf (about 20 KiB, more
    /// than one record: still a valid chain) is served; 2,000 copies (about 1 MB) are refused.
    @Test func longAndOversizedCertificateChains() async throws {
        let target = try await Target.start()
        defer { target.stop() }

        let long = try target.attack("long-chain", count: 40)
        #expect(long.outcome == "answered", "a valid chain over 16 KiB was not served: \(long.outcome) after \(long.seconds) s")
        Self.expectVictimsServed(long)

        let oversized = try target.attack("long-chain", count: 2_000)
        #expect(oversized.outcome == "alert" || oversized.outcome == "closed", "\(oversized.outcome)")
        #expect(oversized.seconds < Self.handshakeTimeoutBound, "\(oversized.seconds) s")
        Self.expectVictimsServed(oversized)
    }

    static let handshakeTimeoutBound = handshakeTimeout + slack

    /// A ClientHello sent one byte a second is cut by the handshake timeout.
    @Test func slowHandshakeIsCutByTheHandshakeTimeout() async throws {
        let target = try await Target.start()
        defer { target.stop() }
        let report = try target.attack("slow-handshake")
        Self.expectCutByTheHandshakeTimeout(report)
        #expect((report.sent ?? 0) <= Int(Self.handshakeTimeoutBound) + 1)
        Self.expectVictimsServed(report)
    }

    /// 300 half-open handshakes from one address (127.0.0.2): the 256 the per-address cap admits
    /// are cut by the handshake timeout, the 44 beyond it are closed at once; curl from 127.0.0.1
    /// is served throughout.
    @Test func halfOpenHandshakesFromOneAddress() async throws {
        let target = try await Target.start()
        defer { target.stop() }
        let report = try target.attack("half-open", count: 300)
        #expect(report.outcome == "closed", "connections were left open")
        #expect(report.closedAtOnce == 44)
        #expect(report.closedLater == 256)
        #expect((report.firstLaterClose ?? 0) >= Self.handshakeTimeout - 0.5)
        #expect((report.lastClose ?? .infinity) < Self.handshakeTimeoutBound)
        Self.expectVictimsServed(report)
    }
}
