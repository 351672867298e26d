import Foundation
import PupilImport
import Testing

/// The largest import a school may send, through real `bilet serve` and curl: 10,000 valid rows
/// (synthetic) in one `POST /v1/pupils/import`, checked by the gateway, registered by the vault
/// process behind its door in one transaction. Part of ``ServeCommandTests`` (serialised, run in
/// the timed pass): it loads the machine for tens of seconds.
extension ServeCommandTests {
    @Test func schoolImportsTenThousandPupilsThroughServe() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        let setup = try run.bilet(["certs", "dev-setup", "--directory", run.certs])
        try #require(setup.status == 0, "\(setup.output)")
        try run.writeConfiguration()
        try #require(try run.bilet(["db", "migrate"]).status == 0)
        let environment = run.environment.merging(["BILET": BiletProcess.binary.path, "BILET_CONFIG": run.config]) { $1 }

        let log = run.directory.appendingPathComponent("serve.log")
        let serve = try BiletProcess.start(["serve", "--config", run.config], environment: run.environment, log: log)
        let lines = try await serve.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        let port = try #require(
            Self.records(lines, message: "gateway listening").first { $0["tls.listener"] as? String == "workstations" }
                .flatMap { ($0["port"] as? String).flatMap(Int.init) })
        let add = try BiletProcess.run(
            ["-c", #"printf 'synthetic pass phrase 1\n' | "$BILET" accounts add --login school.a --role school --organisation bilet://school/77-0001 --region 77 --password-stdin"#],
            environment: environment, executable: URL(fileURLWithPath: "/bin/bash"))
        try #require(add.status == 0, "\(add.output)")
        let keyFile = run.directory.path + "/master.key"
        #expect(try run.bilet(["vault", "keygen", keyFile]).status == 0)
        #expect(try run.bilet(["vault", "init", "--socket", run.socket, "--key-file", keyFile]).status == 0)

        func json(_ text: String) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
        }
        let session = try run.curl(
            port: port, path: "/v1/sessions", client: "workstation",
            extra: ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", #"{"login":"school.a","password":"synthetic pass phrase 1"}"#])
        let token = try #require(json(session.body)["token"] as? String, "\(session)")
        let consent = try run.curl(
            port: port, path: "/v1/staff/me/consent", client: "workstation",
            extra: ["-X", "POST", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                    "--data-binary", #"{"version":"staff-pd-2026-1"}"#])
        try #require(consent.http == "204", "\(consent)")

        let path = run.directory.path + "/ten-thousand.csv"
        try Data(SyntheticImport.file(rows: 10_000, seed: 11)).write(to: URL(fileURLWithPath: path))
        // curl takes the last --max-time: the whole import is given five minutes on a loaded machine.
        let imported = try run.curl(
            port: port, path: "/v1/pupils/import", client: "workstation",
            extra: ["--max-time", "300", "-X", "POST", "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: text/csv",
                    "--data-binary", "@" + path])
        #expect(imported.exit == 0, "\(imported.exit)")
        #expect(imported.http == "200", "\(imported.http) \(imported.body.prefix(400))")
        #expect(json(imported.body)["imported"] as? Int == 10_000)
        let tokens = try #require(json(imported.body)["tokens"] as? [String])
        #expect(tokens.count == 10_000)
        #expect(Set(tokens).count == 10_000)
        #expect(tokens.allSatisfy { $0.hasPrefix("sub_") })
        // Input order: the first, a middle and the last row's tokens are those pupils'.
        for index in [0, 4_999, 9_999] {
            let card = try run.curl(
                port: port, path: "/v1/pupils/\(tokens[index])?purpose=enrolment&fields=surname", client: "workstation",
                extra: ["-H", "Authorization: Bearer \(token)"])
            #expect(json(card.body)["fields"] as? [String: String] == ["surname": SyntheticImport.surname(index, variant: 11)], "\(card)")
        }

        #expect(try serve.terminate() == 0)
    }
}
