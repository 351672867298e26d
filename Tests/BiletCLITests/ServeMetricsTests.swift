import Foundation
import ServeTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The admin listener of a real `bilet serve` (issue 15, part 4): only the monitoring certificate
/// is served; `/readyz` names the failed check; `/metrics` has the named families, and a request or
/// a refused handshake moves exactly its own series. Part of ``ServeCommandTests`` (serialised).
extension ServeCommandTests {
    /// The metric families `/metrics` must always have.
    static let metricFamilies = [
        "bilet_tls_handshakes_total", "bilet_tls_refusals_total", "bilet_http_requests_total",
        "bilet_http_unanswered_requests_total", "bilet_vault_door_calls_total",
        "bilet_vault_door_call_duration_seconds", "bilet_policy_decisions_total", "bilet_audit_events_total",
        "bilet_audit_checkpoint_age_seconds", "bilet_audit_sequencer_pending_events", "bilet_audit_sequencer_lag_seconds",
        "bilet_certificate_expiry_seconds", "bilet_crl_age_seconds", "bilet_crl_next_update_seconds", "bilet_reading_up",
    ]

    @Test func adminListenerServesMetricsAndReadinessToTheMonitoringCertificateOnly() async throws {
        let run = try ServeRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let serve = try await run.serve()
        defer { serve.process.stopIfRunning() }
        let admin = try #require(serve.ports["admin"])
        let workstations = try #require(serve.ports["workstations"])

        // No certificate: the handshake is refused. A workstation's or a module's certificate: 403.
        let anonymous = try run.curl(port: admin, path: "/metrics", client: nil)
        #expect(anonymous.exit != 0)
        #expect(anonymous.http == "000")
        for client in ["workstation", "service", "operator"] {
            for path in ["/metrics", "/readyz", "/healthz"] {
                let refused = try run.curl(port: admin, path: path, client: client)
                #expect(refused.http == "403", "\(client) \(path): \(refused)")
                #expect(refused.body.contains(#""code":"monitoring-certificate-required""#), "\(refused.body)")
            }
        }
        // Nothing but the admin routes there; and no admin route on the workstations' listener.
        #expect(try run.curl(port: admin, path: "/v1/whoami", client: "monitoring").http == "404")
        #expect(try run.curl(port: workstations, path: "/metrics", client: "workstation").http == "404")
        #expect(try run.curl(port: workstations, path: "/readyz", client: "workstation").http == "404")

        // Alive; not ready while the vault is sealed (it starts sealed), naming that check only.
        let alive = try run.curl(port: admin, path: "/healthz", client: "monitoring")
        #expect(alive.http == "200" && alive.body == #"{"status":"ok"}"#, "\(alive)")
        let sealed = try run.curl(port: admin, path: "/readyz", client: "monitoring")
        #expect(sealed.http == "503", "\(sealed)")
        #expect(sealed.body == #"{"failed":["vault"],"status":"not-ready"}"#, "\(sealed.body)")
        try run.initialiseVault()
        let ready = try run.curl(port: admin, path: "/readyz", client: "monitoring")
        #expect(ready.http == "200", "\(ready)")
        #expect(ready.body == #"{"status":"ready"}"#)

        // The exposition: every family, the readings up.
        let first = try Self.scrape(run, admin)
        for family in Self.metricFamilies {
            #expect(first.contains("\n\(family)") || first.hasPrefix(family) || first.contains("# TYPE \(family) "), "\(family) missing")
        }
        #expect(Self.value(first, #"bilet_reading_up{reading="audit-log"}"#) == 1)
        // Two server certificates (ECDSA and GOST) and the CA certificates, each with days to go.
        let expiries = first.split(separator: "\n").filter { $0.hasPrefix("bilet_certificate_expiry_seconds{") }
        #expect(expiries.filter { $0.contains(#"certificate="server""#) }.count == 2, "\(expiries)")
        #expect(expiries.filter { $0.contains(#"certificate="ca""#) }.count >= 2, "\(expiries)")
        #expect(expiries.allSatisfy { ($0.split(separator: " ").last.flatMap { Double($0) } ?? 0) > 86_400 }, "\(expiries)")
        // Every family has its HELP text; each CRL series names its issuer and the key that signed it.
        let typeLines = first.split(separator: "\n").filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
        for family in typeLines { #expect(first.contains("# HELP \(family) "), "\(family) has no HELP") }
        let crls = first.split(separator: "\n").filter { $0.hasPrefix("bilet_crl_next_update_seconds{") }
        #expect(!crls.isEmpty && crls.allSatisfy { $0.contains(#"issuer=""#) && $0.contains(#"key_id=""#) }, "\(crls)")

        // Three whoami requests: that series moves by exactly three, its neighbours not at all.
        let whoami = #"bilet_http_requests_total{route="/v1/whoami",method="GET",status="200"}"#
        let notFound = #"bilet_http_requests_total{route="unmatched",method="GET",status="404"}"#
        let before = try Self.scrape(run, admin)
        for _ in 0..<3 { #expect(try run.curl(port: workstations, path: "/v1/whoami", client: "workstation").http == "200") }
        // A path with a token: counted under its route pattern, the token nowhere in the exposition.
        let token = "p-metrics-probe-token-0001"
        #expect(try run.call(port: workstations, client: "workstation", token: nil, "/v1/pupils/\(token)").http == "401")
        let after = try Self.scrape(run, admin)
        #expect((Self.value(after, whoami) ?? 0) - (Self.value(before, whoami) ?? 0) == 3, "\(after)")
        #expect(Self.value(after, notFound) == Self.value(before, notFound))
        #expect(Self.value(after, #"bilet_http_requests_total{route="/v1/pupils/{token}",method="GET",status="401"}"#) == 1, "\(after)")
        #expect(!after.contains(token))
        // A head over the listener's 16 KiB: the HTTP/1.1 parser's 400, which no route sees, counted
        // before routing with no method; nothing ended unanswered.
        let parserRefusal = #"bilet_http_requests_total{route="before-routing",method="unknown",status="400"}"#
        let oversized = try run.curl(
            port: workstations, path: "/v1/whoami", client: "workstation",
            extra: ["--http1.1", "-H", "X-Filler: " + String(repeating: "a", count: 20_000)])
        #expect(oversized.http == "400", "\(oversized)")
        let parsed = try Self.scrape(run, admin)
        #expect((Self.value(parsed, parserRefusal) ?? 0) - (Self.value(after, parserRefusal) ?? 0) == 1, "\(parsed)")
        #expect(Self.value(parsed, #"bilet_http_unanswered_requests_total{reason="body-too-large"}"#) == 0, "\(parsed)")

        // A refused handshake moves its reason on its listener by one.
        let noCertificate = #"bilet_tls_refusals_total{listener="workstations",reason="no-certificate"}"#
        #expect(try run.curl(port: workstations, path: "/v1/whoami", client: nil).http == "000")
        let refused = try Self.scrape(run, admin)
        #expect((Self.value(refused, noCertificate) ?? 0) - (Self.value(after, noCertificate) ?? 0) == 1, "\(refused)")
        #expect(Self.value(refused, #"bilet_tls_refusals_total{listener="workstations",reason="revoked"}"#) == 0)
        #expect(Self.value(refused, #"bilet_tls_refusals_total{listener="admin",reason="no-certificate"}"#) == 1)
        // Plain HTTP to a TLS listener: not a certificate refusal but a failed handshake, `protocol-error`.
        let protocolError = #"bilet_tls_refusals_total{listener="workstations",reason="protocol-error"}"#
        _ = try BiletProcess.run(
            ["-sS", "--max-time", "5", "http://127.0.0.1:\(workstations)/v1/whoami"], environment: [:],
            executable: URL(fileURLWithPath: "/usr/bin/curl"))
        let garbled = try Self.scrape(run, admin)
        #expect((Self.value(garbled, protocolError) ?? 0) - (Self.value(refused, protocolError) ?? 0) == 1, "\(garbled)")
        #expect(Self.value(garbled, noCertificate) == Self.value(refused, noCertificate))

        // A sign-in with an unknown login asks the vault's door for the login's keyed hash: one answered call.
        let doorCall = #"bilet_vault_door_calls_total{area="attempted-account-hash",outcome="answered"}"#
        let signIn = try run.call(
            port: workstations, client: "workstation", token: nil, "/v1/sessions", method: "POST", type: "application/json",
            body: #"{"login":"nobody.metrics","password":"synthetic wrong pass"}"#)
        #expect(signIn.http == "401", "\(signIn)")
        let called = try Self.scrape(run, admin)
        #expect((Self.value(called, doorCall) ?? 0) - (Self.value(refused, doorCall) ?? 0) == 1, "\(called)")
        #expect(Self.value(called, #"bilet_vault_door_calls_total{area="pupils",outcome="answered"}"#) == 0)

        // Sealed again: not ready, naming the vault; the seal's audit record is counted from the log
        // (the vault process's, read by the gateway) once it is committed.
        let sealing = try run.bilet(["vault", "seal", "--socket", run.socket])
        #expect(sealing.status == 0, "\(sealing.output)")
        let resealed = try run.curl(port: admin, path: "/readyz", client: "monitoring")
        #expect(resealed.http == "503")
        #expect(resealed.body == #"{"failed":["vault"],"status":"not-ready"}"#, "\(resealed.body)")
        var sealedCount: Double?
        for _ in 0..<50 {
            sealedCount = Self.value(try Self.scrape(run, admin), #"bilet_audit_events_total{kind="vault.sealed"}"#)
            if sealedCount != nil { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(sealedCount == 1)
        let sealedScrape = try Self.scrape(run, admin)
        #expect(Self.value(sealedScrape, "bilet_audit_checkpoint_age_seconds").map { $0 >= 0 && $0 < 600 } == true, "\(sealedScrape)")

        // The database stopped (a fast shutdown of the private cluster): not ready, naming the database
        // and the audit log (and the vault, still sealed); the metrics' database reading is down.
        let postmaster = try String(contentsOfFile: run.directory.path + "/pg/data/postmaster.pid", encoding: .utf8)
        let pid = try #require(postmaster.split(separator: "\n").first.flatMap { pid_t($0) })
        #expect(kill(pid, SIGINT) == 0)
        for _ in 0..<100 where kill(pid, 0) == 0 { try await Task.sleep(for: .milliseconds(100)) }
        let stopped = try run.curl(port: admin, path: "/readyz", client: "monitoring")
        #expect(stopped.http == "503", "\(stopped)")
        #expect(stopped.body == #"{"failed":["audit","database","vault"],"status":"not-ready"}"#, "\(stopped.body)")
        #expect(Self.value(try Self.scrape(run, admin), #"bilet_reading_up{reading="audit-log"}"#) == 0)
    }

    /// `/metrics` with the monitoring certificate: the exposition text.
    static func scrape(_ run: ServeRun, _ port: Int) throws -> String {
        let answer = try run.curl(port: port, path: "/metrics", client: "monitoring")
        guard answer.http == "200" else { throw ScrapeFailure(answer: "\(answer)") }
        return answer.body
    }

    struct ScrapeFailure: Error {
        let answer: String
    }

    /// The value of the series written exactly `series` (name and labels), `nil` when absent.
    static func value(_ exposition: String, _ series: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}
