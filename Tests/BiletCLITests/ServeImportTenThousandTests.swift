import Foundation
import PupilImport
import Testing
import ServeTestSupport

/// The largest import a school may send, through real `bilet serve` and curl: 10,000 valid rows
/// (synthetic) in one `POST /v1/pupils/import`, checked by the gateway, registered by the vault
/// process behind its door in one transaction. Part of ``ServeCommandTests`` (serialised, run in
/// the timed pass): it loads the machine for tens of seconds.
extension ServeCommandTests {
    @Test func schoolImportsTenThousandPupilsThroughServe() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let add = try run.addAccount("school.a", role: "school", organisation: "bilet://school/77-0001", region: "77")
        try #require(add.status == 0, "\(add.output)")
        try run.initialiseVault()
        let json = ServeCommandTests.json
        let token = try run.signIn(port: port, "school.a", client: "workstation")

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
            let card = try run.call(port: port, client: "workstation", token: token, "/v1/pupils/\(tokens[index])?purpose=enrolment&fields=surname")
            #expect(json(card.body)["fields"] as? [String: String] == ["surname": SyntheticImport.surname(index, variant: 11)], "\(card)")
        }

        #expect(try serve.terminate() == 0)
    }
}
