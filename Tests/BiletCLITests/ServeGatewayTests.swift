import Foundation
import ServeTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `bilet serve` with the gateway, the vault and the CA wired, as `./scripts/run` runs it: a
/// development PKI made by `bilet certs dev-setup`, listeners on free ports, curl with the dev
/// workstation certificate, `bilet vault` over the control socket, SIGHUP reaching both reloaders,
/// and a clean stop. Part of ``ServeCommandTests`` (serialised, run in the timed pass).
extension ServeCommandTests {
    /// The serve harness every serve test uses (ServeTestSupport).
    typealias GatewayRun = ServeRun

    /// A JSON object body (empty when the body is not one).
    static func json(_ text: String) -> [String: Any] { ServeRun.json(text) }

    /// The JSON log lines with `message`.
    static func records(_ lines: [String], message: String) -> [[String: Any]] { ServeRun.records(lines, message: message) }

    @Test func servesTheGatewayAndTheVaultAndStopsCleanly() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()

        let log = run.directory.appendingPathComponent("serve.log")
        let serve = try BiletProcess.start(["serve", "--config", run.config], environment: run.environment, log: log)
        let lines = try await serve.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        let listening = Self.records(lines, message: "gateway listening")
        #expect(listening.count == 4, "each listener (and the admin listener) is logged once")
        var ports: [String: Int] = [:]
        for record in listening {
            let name = try #require(record["tls.listener"] as? String)
            let port = try #require((record["port"] as? String).flatMap(Int.init))
            #expect(port > 0)
            #expect(record["address"] as? String == "127.0.0.1:\(port)")
            ports[name] = port
        }
        let workstations = try #require(ports["workstations"])
        let pupils = try #require(ports["pupils"])
        #expect(ports["gost"] != nil)
        #expect(ports["admin"] != nil)
        let ready = try #require(Self.records(lines, message: "bilet is ready").first)
        #expect(ready["components"] as? String == "vault,sequencer,ca,gateway")
        #expect(ready["gateway"] as? String == "workstations,gost,pupils")
        #expect(ready["routes"] as? String == "gateway,certificates,sessions,audit,organisations,incidents,staff,pupil-accounts,pages,vault,trials,assessment,recommendations,kpi")

        // The dev workstation certificate is the principal; without one the required listener refuses.
        let whoami = try run.curl(port: workstations, path: "/v1/whoami", client: "workstation")
        #expect(whoami.http == "200", "\(whoami)")
        #expect(whoami.body.contains(#""principal":"bilet://school/77-0001/ws/1""#), "\(whoami.body)")
        #expect(whoami.body.contains(#""listener":"workstations""#))
        let anonymous = try run.curl(port: workstations, path: "/v1/whoami", client: nil)
        #expect(anonymous.exit != 0)
        #expect(anonymous.http == "000")
        let pupil = try run.curl(port: pupils, path: "/v1/whoami", client: nil)
        #expect(pupil.http == "401")
        #expect(pupil.body.contains(#""code":"no-client-certificate""#))
        #expect(try run.curl(port: pupils, path: "/healthz", client: nil).http == "200")

        // The renewal route is forwarded to the CA process, which answers with its own codes.
        let renewal = try run.curl(
            port: workstations, path: "/v1/certificates/renew", client: "workstation",
            extra: ["-X", "POST", "-H", "Content-Type: application/pkcs10", "--data-binary", "not a request"])
        // The fresh dev certificate is not due: the CA process refuses it before it parses the body
        // (outside input is parsed next to the issuing keys only for a certificate that may renew now).
        #expect(renewal.http == "409", "\(renewal)")
        #expect(renewal.body.contains(#""code":"outside-renewal-window""#), "\(renewal.body)")

        // The vault answers on its socket: uninitialised, then initialised (and unsealed) with a key file.
        let keyFile = run.directory.path + "/master.key"
        let status = try run.bilet(["vault", "status", "--socket", run.socket])
        #expect(status.status == 0, "\(status.output)")
        #expect(status.output.contains("vault: uninitialised"), "\(status.output)")
        #expect(try run.bilet(["vault", "keygen", keyFile]).status == 0)
        let initialised = try run.bilet(["vault", "init", "--socket", run.socket, "--key-file", keyFile])
        #expect(initialised.status == 0, "\(initialised.output)")
        #expect(initialised.output.contains("vault: unsealed"), "\(initialised.output)")
        // Erasure, holds, retention ends and the register are reachable from the command line.
        let register = try run.bilet(["vault", "register", "--socket", run.socket])
        #expect(register.status == 0, "\(register.output)")
        #expect(register.output.contains("the destruction register is empty"), "\(register.output)")
        let unknown = "sub_" + String(repeating: "A", count: 22)  // well formed (16 zero bytes), never issued
        let hold = try run.bilet(["vault", "hold", unknown, "--socket", run.socket])
        #expect(hold.status == 2, "\(hold.output)")
        #expect(hold.output.contains("vault.unknown_subject"), "\(hold.output)")
        let erase = try run.bilet(["vault", "erase", "not-a-token", "--reason", "subject_request", "--socket", run.socket])
        #expect(erase.status == 2, "\(erase.output)")
        #expect(erase.output.contains("vault.invalid_request"), "\(erase.output)")
        let retention = try run.bilet(["vault", "retention", unknown, "--socket", run.socket])
        #expect(retention.status == 64, "\(retention.output)")
        #expect(retention.output.contains("give either --until DATE or --clear"), "\(retention.output)")

        // A compliance officer signs in on the dev workstation (password and certificate, two factors)
        // and reads the audit log over the API; without the session the API answers 401.
        let add = try run.addAccount("officer.one", role: "compliance_officer", organisation: "bilet://school/77-0001")
        #expect(add.status == 0, "\(add.output)")
        #expect(try run.curl(port: workstations, path: "/v1/audit/checkpoint", client: "workstation").http == "401")
        let login = try run.curl(
            port: workstations, path: "/v1/sessions", client: "workstation",
            extra: ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", #"{"login":"officer.one","password":"synthetic pass phrase 1"}"#])
        #expect(login.http == "201", "\(login)")
        let token = try #require(
            (try? JSONSerialization.jsonObject(with: Data(login.body.utf8)) as? [String: Any])?["token"] as? String)
        // First, as every staff member at first sign-in, the officer records their consent to the
        // processing of their own personal data; until then every other staff route answers 403.
        let gated = try run.curl(
            port: workstations, path: "/v1/audit/checkpoint", client: "workstation", extra: ["-H", "Authorization: Bearer \(token)"])
        #expect(gated.http == "403" && gated.body.contains("staff-consent-required"), "\(gated)")
        let consent = try run.curl(
            port: workstations, path: "/v1/staff/me/consent", client: "workstation",
            extra: ["-X", "POST", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                    "--data-binary", #"{"version":"staff-pd-2026-1"}"#])
        #expect(consent.http == "204", "\(consent)")
        let entries = try run.curl(
            port: workstations, path: "/v1/audit/entries?type=vault.initialised", client: "workstation",
            extra: ["-H", "Authorization: Bearer \(token)"])
        #expect(entries.http == "200", "\(entries)")
        #expect(entries.body.contains(#""type":"vault.initialised""#), "\(entries.body)")
        let wrong = try run.curl(
            port: workstations, path: "/v1/sessions", client: "workstation",
            extra: ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", #"{"login":"officer.one","password":"wrong"}"#])
        #expect(wrong.http == "401")

        // A client certificate the platform never issued is refused at the handshake, and the refusal
        // reaches the audit log (auth.failed, method certificate), not only the process log.
        let stranger = run.directory.path + "/stranger"
        let made = try BiletProcess.run(
            ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", stranger + ".key",
             "-out", stranger + ".pem", "-subj", "/CN=stranger", "-days", "1",
             "-addext", "subjectAltName=URI:bilet://school/77-0001/ws/9", "-addext", "extendedKeyUsage=clientAuth"],
            environment: [:], executable: URL(fileURLWithPath: "/usr/bin/openssl"))
        try #require(made.status == 0, "\(made.output)")
        try FileManager.default.copyItem(atPath: stranger + ".pem", toPath: run.certs + "/clients/stranger.pem")
        try FileManager.default.copyItem(atPath: stranger + ".key", toPath: run.certs + "/clients/stranger.key")
        let refused = try run.curl(port: workstations, path: "/v1/whoami", client: "stranger")
        #expect(refused.http == "000", "the handshake is refused: \(refused)")
        var audited = false
        for _ in 0..<60 where !audited {
            let failures = try run.curl(
                port: workstations, path: "/v1/audit/entries?type=auth.failed", client: "workstation",
                extra: ["-H", "Authorization: Bearer \(token)"])
            audited = failures.body.contains(#""method":"certificate""#)
            if !audited { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(audited, "the refused certificate is in the audit log")

        // One SIGHUP reaches both the TLS material reloader and the policy reload.
        kill(serve.process.processIdentifier, SIGHUP)
        _ = try await serve.waitForLine(containing: "\"tls.reload.reason\":\"SIGHUP\"", timeout: .seconds(30))
        let afterHangup = try await serve.waitForLine(containing: "\"reason\":\"SIGHUP\"", timeout: .seconds(30))
        #expect(Self.records(afterHangup, message: "policy reloaded").contains { $0["reason"] as? String == "SIGHUP" })

        #expect(try serve.terminate() == 0)
        let all = try String(contentsOf: log, encoding: .utf8)
        #expect(all.contains("local postgres stopped"))
        #expect(all.contains("bilet stopped"))
        #expect(!FileManager.default.fileExists(atPath: run.socket), "the control socket is removed")

        // A restart starts sealed; the key file unseals it over the socket.
        let secondLog = run.directory.appendingPathComponent("second.log")
        let second = try BiletProcess.start(["serve", "--config", run.config], environment: run.environment, log: secondLog)
        _ = try await second.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        #expect(try run.bilet(["vault", "status", "--socket", run.socket]).output.contains("vault: sealed"))
        let unsealed = try run.bilet(["vault", "unseal", "--socket", run.socket, "--key-file", keyFile])
        #expect(unsealed.status == 0, "\(unsealed.output)")
        #expect(unsealed.output.contains("vault: unsealed"))
        #expect(try second.terminate() == 0)
        #expect(!FileManager.default.fileExists(atPath: run.socket))
        #expect(try run.bilet(["db", "status"]).output.contains("is stopped"))
    }

    /// A GOST listener without the GOST key pair, and unreadable TLS material, stop the start with
    /// the key or file named, and leave the private cluster stopped.
    @Test func badGatewayConfigurationStopsTheStart() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        let missingGOST = try BiletProcess.run(
            ["serve"],
            environment: run.environment.merging([
                "BILET_GATEWAY_LISTENERS": "gost@127.0.0.1:0/required/gost", "BILET_GATEWAY_CERTIFICATE": "s.pem",
                "BILET_GATEWAY_PRIVATE_KEY": "s.key", "BILET_GATEWAY_CLIENT_CA_BUNDLE": "b.pem", "BILET_GATEWAY_CRL": "c.pem",
            ]) { _, new in new })
        #expect(missingGOST.status != 0)
        #expect(missingGOST.output.contains("'gateway.gost_certificate'"), "\(missingGOST.output)")
        #expect(try run.bilet(["db", "migrate"]).status == 0)

        let missingFiles = try BiletProcess.run(
            ["serve"],
            environment: run.environment.merging([
                "BILET_GATEWAY_LISTENERS": "ws@127.0.0.1:0/required", "BILET_GATEWAY_CERTIFICATE": run.directory.path + "/none.pem",
                "BILET_GATEWAY_PRIVATE_KEY": run.directory.path + "/none.key", "BILET_GATEWAY_CLIENT_CA_BUNDLE": "b.pem",
                "BILET_GATEWAY_CRL": "c.pem", "BILET_VAULT_CONTROL_SOCKET": run.socket,
            ]) { _, new in new })
        #expect(missingFiles.status != 0)
        #expect(missingFiles.output.contains("server-certificate-1"), "\(missingFiles.output)")
        #expect(try run.bilet(["db", "status"]).output.contains("is stopped"))
    }
}
