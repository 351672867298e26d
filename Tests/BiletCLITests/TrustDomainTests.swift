import Foundation
import Testing
import ServeTestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Issue 12's first test: `bilet serve` splits into trust domains, and the internet-facing gateway
/// process holds no key of the vault, the CA or the audit signer, and no database credential that
/// could read vault ciphertext, rewrite the audit log or create roles. Part of ``ServeCommandTests``'
/// serialised run (it starts a real `bilet serve`).
extension ServeCommandTests {
    @Test func theGatewayProcessHoldsNoKeyOfTheVaultTheCAOrTheSigner() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        try run.prepare()

        let log = run.directory.appendingPathComponent("serve.log")
        // A secret of the shell that started bilet, which is none of the gateway's business: the
        // supervisor passes its children only bilet's and the locale's variables.
        let unrelatedSecret = "synthetic-unrelated-secret-\(UInt32.random(in: 0...UInt32.max))"
        let serve = try BiletProcess.start(
            ["serve", "--config", run.config], environment: run.environment.merging(["AWS_SECRET_ACCESS_KEY": unrelatedSecret]) { $1 },
            log: log)
        defer { _ = try? serve.terminate() }
        let lines = try await serve.waitForLine(containing: "bilet is ready", timeout: .seconds(120))
        var pids: [String: Int32] = [:]
        for record in Self.records(lines, message: "component started") {
            if let name = record["component"] as? String, let pid = (record["pid"] as? String).flatMap(Int32.init) { pids[name] = pid }
        }
        let gateway = try #require(pids["gateway"])
        let vault = try #require(pids["vault"])
        #expect(Set(pids.keys) == ["vault", "sequencer", "ca", "gateway"])
        #expect(Set(pids.values).count == 4, "four processes")

        // The vault is unsealed (it holds its keys) and a staff login makes the gateway ask the vault's
        // door for a keyed hash: the gateway works with the vault without its key.
        let keyFile = run.directory.path + "/master.key"
        #expect(try run.bilet(["vault", "keygen", keyFile]).status == 0)
        #expect(try run.bilet(["vault", "init", "--config", run.config, "--key-file", keyFile]).status == 0)
        let workstations = try #require(
            Self.records(lines, message: "gateway listening").first { $0["tls.listener"] as? String == "workstations" }
                .flatMap { ($0["port"] as? String).flatMap(Int.init) })
        let login = try run.curl(
            port: workstations, path: "/v1/sessions", client: "workstation",
            extra: ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", #"{"login":"nobody.here","password":"wrong"}"#])
        #expect(login.http == "401", "the login is audited through the vault's door and refused: \(login)")

        // The door hashes typed logins only: a request naming another audit field (say `snils`, to test
        // values against the log's keyed hashes) is not a door request at all.
        let doorSocket = run.directory.path + "/vault-door/door.sock"
        func door(_ line: String) throws -> String {
            let script = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(sys.argv[1])
                s.sendall(sys.argv[2].encode() + b"\\n")
                print(s.recv(65536).decode().strip())
                """
            return try BiletProcess.run(
                ["-c", script, doorSocket, line], environment: [:], executable: URL(fileURLWithPath: "/usr/bin/python3")
            ).output.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try door(#"{"auditKeyedHash":{"value":"112-233-445 95","field":"snils"}}"#) == #"{"refused":{"code":"invalid-request"}}"#)
        #expect(try door(#"{"attemptedAccountHash":{"login":"nobody.here"}}"#).hasPrefix(#"{"keyedHash":{"_0":"k1:"#))

        // The secrets of the other domains, as files hold them and as raw bytes.
        var secrets: [String: [UInt8]] = [:]
        let masterHex = try String(contentsOfFile: keyFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        secrets["vault master key (hex)"] = Array(masterHex.utf8)
        secrets["vault master key"] = Self.bytes(hex: masterHex)
        for name in ["issuing", "root"] {
            let passphrase = try String(contentsOfFile: "\(run.certs)/ca/\(name).passphrase", encoding: .utf8)
            secrets["CA \(name) passphrase"] = Array(passphrase.trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        }
        let caFiles = try FileManager.default.subpathsOfDirectory(atPath: run.certs + "/ca").filter { $0.hasSuffix(".key") }
        #expect(!caFiles.isEmpty)
        for file in caFiles {
            secrets["CA key file \(file)"] = Self.pemBodyLine(try String(contentsOfFile: "\(run.certs)/ca/\(file)", encoding: .utf8))
        }
        let signingPEM = try String(contentsOfFile: run.directory.path + "/audit/checkpoint-signing.key", encoding: .utf8)
        secrets["signing key file"] = Self.pemBodyLine(signingPEM)
        secrets["signing key seed"] = Array(try #require(Data(base64Encoded: String(decoding: Self.pemBodyLine(signingPEM), as: UTF8.self))).suffix(32))
        secrets["unrelated secret of the supervisor's environment"] = Array(unrelatedSecret.utf8)
        secrets["owner password"] = Array(try String(contentsOfFile: run.directory.path + "/pg/owner.password", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        let credentials = run.directory.path + "/credentials"
        func password(_ role: String) throws -> [UInt8] {
            Array(try String(contentsOfFile: "\(credentials)/\(role).password", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
        }
        // Nor the administrator roles it never uses (finding M-1): bilet_policy may write relationship
        // facts, bilet_account_admin may create accounts and set their passwords.
        for role in ["bilet_vault", "bilet_ca", "bilet_audit", "bilet_policy", "bilet_account_admin"] {
            secrets["\(role) password"] = try password(role)
        }

        let inspected = ProcessInspection(pid: gateway)
        let environment = try inspected.environment().joined(separator: "\n")
        for (name, secret) in secrets {
            #expect(!environment.contains(String(decoding: secret, as: UTF8.self)), "the gateway's environment holds the \(name)")
        }
        let secretFiles = [run.certs + "/ca", keyFile, run.directory.path + "/audit", run.directory.path + "/pg/owner.password", credentials]
        for file in try inspected.openFiles() + Array(try inspected.mappedFiles()) {
            #expect(!secretFiles.contains { file.hasPrefix($0) }, "the gateway has \(file) open or mapped")
        }
        let found = try inspected.writableMemoryContains(secrets.merging(["own password": try password("bilet_gateway")]) { $1 })
        #expect(found == ["own password"], "the gateway's memory holds: \(found.sorted())")
        // The same scan finds the vault's own secret in the vault process: it can find what is there.
        #expect(try ProcessInspection(pid: vault).writableMemoryContains(["vault password": try password("bilet_vault")]) == ["vault password"])

        // The gateway's database credential cannot read vault ciphertext, rewrite the audit log or create roles.
        let gatewayPassword = String(decoding: try password("bilet_gateway"), as: UTF8.self)
        for statement in [
            "SELECT count(*) FROM vault.fields", "UPDATE audit.events SET actor = 'user:x' WHERE id = 1",
            "DELETE FROM audit.leaves", "CREATE ROLE bilet_intruder", "INSERT INTO ca.revocation_lists (hierarchy) VALUES ('ecdsa')",
        ] {
            let result = try BiletProcess.run(
                ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", statement,
                 "host=\(run.directory.path)/pg/socket dbname=bilet user=bilet_gateway"],
                environment: ["PGPASSWORD": gatewayPassword], executable: URL(fileURLWithPath: "/usr/bin/psql"))
            #expect(result.status != 0, "\(statement): \(result.output)")
            #expect(result.output.contains("permission denied"), "\(statement): \(result.output)")
        }
        // Finding M-1: no role the gateway holds may add a relationship fact, create an account or set
        // a password; the administrator's `bilet accounts` (as bilet_account_admin) still can.
        let facts = "INSERT INTO policy.relationships (kind, subject_type, subject_id, object_type, object_id) VALUES ('assigned', 'user', 'usr_x', 'pupil', 'sub_x')"
        let refusals: [(role: String, statement: String)] = [
            ("bilet_gateway", facts), ("bilet_accounts", facts), ("bilet_auditor", facts),
            ("bilet_accounts", "INSERT INTO accounts.accounts (id, login, role, organisation, password_hash) VALUES ('usr_BBBBBBBBBBBBBBBBBBBBBB', 'officer.forged', 'compliance_officer', 'bilet://region/77', '$argon2id$v=19$x')"),
            ("bilet_accounts", "UPDATE accounts.accounts SET password_hash = '$argon2id$v=19$taken-over'"),
        ]
        for (role, statement) in refusals {
            let result = try BiletProcess.run(
                ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", statement, "host=\(run.directory.path)/pg/socket dbname=bilet user=\(role)"],
                environment: ["PGPASSWORD": String(decoding: try password(role), as: UTF8.self)],
                executable: URL(fileURLWithPath: "/usr/bin/psql"))
            #expect(result.status != 0, "\(role): \(statement): \(result.output)")
            #expect(result.output.contains("permission denied"), "\(role): \(statement): \(result.output)")
        }
        let added = try BiletProcess.run(
            ["-c", #"printf 'synthetic pass 1\n' | "$0" accounts add --login officer.one --role compliance_officer --organisation bilet://school/77-0001 --password-stdin --actor admin:test"#,
             BiletProcess.binary.path],
            environment: run.environment, executable: URL(fileURLWithPath: "/bin/sh"))
        #expect(added.status == 0 && added.output.contains("created officer.one"), "\(added.output)")
        let signedIn = try run.curl(
            port: workstations, path: "/v1/sessions", client: "workstation",
            extra: ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", #"{"login":"officer.one","password":"synthetic pass 1"}"#])
        #expect(signedIn.http == "201", "the gateway signs in an account the administrator made: \(signedIn)")
        let disabled = try run.bilet(["accounts", "disable", "officer.one", "--actor", "admin:test"])
        #expect(disabled.status == 0 && disabled.output.contains("disabled officer.one"), "\(disabled.output)")
        let listed = try run.bilet(["accounts", "list", "--json"])
        #expect(listed.status == 0 && listed.output.contains(#""disabled":true"#), "\(listed.output)")

        // …and another role's password is not the gateway's: the owner's is refused to it outright.
        let wrong = try BiletProcess.run(
            ["-X", "-q", "-c", "SELECT 1", "host=\(run.directory.path)/pg/socket dbname=bilet user=postgres"],
            environment: ["PGPASSWORD": gatewayPassword], executable: URL(fileURLWithPath: "/usr/bin/psql"))
        #expect(wrong.output.contains("password authentication failed"), "\(wrong.output)")
        #expect(try serve.terminate() == 0)
    }

    /// Serving processes refuse a database.url that carries a password (owner credentials belong to
    /// `bilet db migrate`), and refuse to start on a pending migration.
    @Test func servingProcessesRefuseOwnerCredentialsAndPendingMigrations() async throws {
        let run = try GatewayRun.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        let withPassword = try BiletProcess.run(
            ["serve", "--component", "gateway"],
            environment: run.environment.merging(["BILET_DATABASE_URL": "host=/nonexistent dbname=bilet user=postgres password=secret"]) { $1 })
        #expect(withPassword.status != 0)
        #expect(withPassword.output.contains("database.url carries a password"), "\(withPassword.output)")
        #expect(!withPassword.output.contains("secret"))

        // libpq would use PGPASSWORD whatever the configuration says: serving refuses to start with it.
        let libpqSecret = try BiletProcess.run(["serve"], environment: run.environment.merging(["PGPASSWORD": "secret"]) { $1 })
        #expect(libpqSecret.status != 0)
        #expect(libpqSecret.output.contains("PGPASSWORD is set"), "\(libpqSecret.output)")

        // Before `bilet db migrate` there are no credentials to serve with.
        let unprovisioned = try BiletProcess.run(["serve", "--component", "vault"], environment: run.environment)
        #expect(unprovisioned.status != 0)
        #expect(unprovisioned.output.contains("no password file for bilet_vault"), "\(unprovisioned.output)")

        // With credentials but a migration missing (its bookkeeping row removed by the owner), the
        // component refuses, naming the migration.
        #expect(try run.bilet(["db", "migrate"]).status == 0)
        #expect(try run.bilet(["db", "start"]).status == 0)
        let owner = try String(contentsOfFile: run.directory.path + "/pg/owner.password", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let removed = try BiletProcess.run(
            ["-X", "-q", "-c", "DELETE FROM bilet_meta.schema_migrations WHERE version = (SELECT max(version) FROM bilet_meta.schema_migrations)",
             "host=\(run.directory.path)/pg/socket dbname=bilet user=postgres"],
            environment: ["PGPASSWORD": owner], executable: URL(fileURLWithPath: "/usr/bin/psql"))
        #expect(removed.status == 0, "\(removed.output)")
        let pending = try BiletProcess.run(["serve", "--component", "vault"], environment: run.environment)
        #expect(pending.status != 0)
        #expect(pending.output.contains("is not applied; run `bilet db migrate`"), "\(pending.output)")
        #expect(try run.bilet(["db", "stop"]).status == 0)
    }

    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            if let byte = UInt8(hex[index..<next], radix: 16) { bytes.append(byte) }
            index = next
        }
        return bytes
    }

    /// The first base64 line of a PEM block: a distinctive piece of the file's secret content.
    static func pemBodyLine(_ pem: String) -> [UInt8] {
        Array((pem.split(separator: "\n").first { !$0.hasPrefix("-----") && !$0.contains(":") && $0.count > 20 } ?? "").utf8)
    }
}
