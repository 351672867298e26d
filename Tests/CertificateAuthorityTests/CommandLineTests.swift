import CertificateAuthority
import DatabaseTestSupport
import Foundation
import GnuTLS
import TLSTestSupport
import Testing

/// An ISO 8601 timestamp as the inventory's JSON shows it.
enum InventoryTimestamp {
    static func iso8601(_ seconds: Int) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}

/// `bilet certs …` as an administrator and a workstation run it.
@Suite(.serialized) struct CommandLineTests {
    static func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int) ?? -1
    }

    @Test func initRequestSignAndListFromTheCommandLine() async throws {
        let fixture = try await CAFixture.make(hierarchies: [])
        defer { Task { await fixture.tearDown() } }
        let root = fixture.path("root.passphrase")
        try Passphrase("another root passphrase").write(to: root)
        let ca = ["--ca-dir", fixture.authorityDirectory.path, "--issuing-passphrase-file", fixture.issuingPassphraseFile]
        let database = ["--database-url", fixture.database.configuration.connectionString, "--actor", "admin:ivanova"]
        let initialised = try await BiletBinary.run(["certs", "init", "--root-passphrase-file", root] + ca + database)
        #expect(initialised.status == 0, "\(initialised.stderr)")
        #expect(initialised.stdout.contains("Move \(fixture.authorityDirectory.files(.ecdsa).rootKey) offline"))
        #expect(initialised.stdout.contains("inventory: root "), "\(initialised.stdout)")
        #expect(initialised.stdout.contains("inventory: intermediate "), "\(initialised.stdout)")
        // the root's first CRL too: gateways need a CRL of every CA of their bundle (issue 12, M1)
        #expect(initialised.stdout.contains("root-crl.pem"), "\(initialised.stdout)")
        #expect(ProtectedFile.exists(fixture.authorityDirectory.files(.ecdsa).rootRevocationList))

        let requested = try await BiletBinary.run([
            "certs", "request", "--organisation", "school/77-1234", "--device", "3", "--key-out", fixture.path("ws.key"),
            "--csr-out", fixture.path("ws.csr"),
        ])
        #expect(requested.status == 0, "\(requested.stderr)")
        #expect(try Self.mode(fixture.path("ws.key")) == 0o600)

        // the administrator names another device than the request: refused
        let mismatch = try await BiletBinary.run(
            ["certs", "sign", "--csr", fixture.path("ws.csr"), "--organisation", "school/77-1234", "--device", "4", "--out", fixture.path("ws.pem")]
                + ca + database)
        #expect(mismatch.status != 0)
        #expect(mismatch.stderr.contains("csr-identity-mismatch"), "\(mismatch.stderr)")
        let signed = try await BiletBinary.run(
            ["certs", "sign", "--csr", fixture.path("ws.csr"), "--identity", "bilet://school/77-1234/ws/3", "--days", "30", "--out", fixture.path("ws.pem")]
                + ca + database)
        #expect(signed.status == 0, "\(signed.stderr)")
        let chain = try X509Certificate.list(pem: try ProtectedFile.readPublic(fixture.path("ws.pem")))
        #expect(chain.count == 2)
        #expect(chain.first?.subjectAlternativeURIs == ["bilet://school/77-1234/ws/3"])
        #expect(chain.first.map { $0.notAfter - $0.notBefore } == 30 * 86_400 + CertificateProfile.backdatingSeconds)

        let listed = try await BiletBinary.run(["certs", "list", "--json", "--organisation", "77-1234", "--status", "active"] + database)
        #expect(listed.status == 0, "\(listed.stderr)")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["identity"] as? String == "bilet://school/77-1234/ws/3")
        #expect(entries.first?["state"] as? String == "active")
        #expect(entries.first?["keyType"] as? String == "ecdsa-p256")
        #expect(entries.first?["organisation"] as? String == "school/77-1234")
        #expect(entries.first?["issuedBy"] as? String == "admin:ivanova")
        #expect(entries.first?["serial"] as? String == SerialNumber.hex(chain[0].serialNumber))
        let none = try await BiletBinary.run(["certs", "list", "--json", "--expiring-within", "10"] + database)
        #expect(none.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || none.stdout.contains("[]"), "\(none.stdout)")
        let soon = try await BiletBinary.run(["certs", "list", "--expiring-within", "31"] + database)
        #expect(soon.stdout.contains("bilet://school/77-1234/ws/3"))
        #expect(soon.stdout.contains("1 certificate(s)"))

        // the root and issuing CA certificates are in the inventory too, and filter by kind
        let rootCertificate = try fixture.authorityDirectory.rootCertificate(.ecdsa)
        let issuingCertificate = try fixture.authorityDirectory.issuingCertificate(.ecdsa)
        for (kind, certificate, identity) in [("root", rootCertificate, "ca:root/ecdsa"), ("intermediate", issuingCertificate, "ca:intermediate/ecdsa")] {
            let shown = try await BiletBinary.run(["certs", "list", "--json", "--kind", kind] + database)
            #expect(shown.status == 0, "\(shown.stderr)")
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(rows.first?["kind"] as? String == kind)
            #expect(rows.first?["profile"] as? String == kind)
            #expect(rows.first?["hierarchy"] as? String == "ecdsa")
            #expect(rows.first?["identity"] as? String == identity)
            #expect(rows.first?["state"] as? String == "active")
            #expect(rows.first?["serial"] as? String == SerialNumber.hex(certificate.serialNumber))
            #expect(rows.first?["notAfter"] as? String == InventoryTimestamp.iso8601(certificate.notAfter))
            #expect(rows.first?["organisation"] == nil)
        }
        let leaves = try await BiletBinary.run(["certs", "list", "--kind", "leaf"] + database)
        #expect(leaves.stdout.contains("1 certificate(s)"), "\(leaves.stdout)")
        let everything = try await BiletBinary.run(["certs", "list"] + database)
        #expect(everything.stdout.contains("3 certificate(s)"), "\(everything.stdout)")
        let badKind = try await BiletBinary.run(["certs", "list", "--kind", "leafy"] + database)
        #expect(badKind.status != 0)
        // recording again (after a database outage at init) changes nothing
        let again = try await BiletBinary.run(["certs", "init", "--record-only"] + ca + database)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try await fixture.query("SELECT count(*) FROM ca.certificates").singleValue(Int64.self) == 3)

        // a passphrase file others can read is refused
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: fixture.issuingPassphraseFile)
        let exposed = try await BiletBinary.run(
            ["certs", "sign", "--csr", fixture.path("ws.csr"), "--identity", "bilet://school/77-1234/ws/3", "--out", fixture.path("x.pem")]
                + ca + database)
        #expect(exposed.status != 0)
        #expect(exposed.stderr.contains("key-file-exposed"), "\(exposed.stderr)")
    }

    @Test func devSetupMakesACompletePKIAndChangesNothingTheSecondTime() async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-dev-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let arguments = ["certs", "dev-setup", "--directory", directory, "--database-url", database.configuration.connectionString]
        // The component roles' passwords that the migration provisions, in the test's directory: the
        // default (var/credentials under the working directory) is the repository's own.
        let credentials = ["BILET_DATABASE_CREDENTIALS_DIRECTORY": directory + "/credentials"]
        let first = try await BiletBinary.run(arguments, environment: credentials)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        // 2 server certificates and 10 clients: two workstations of school 77-0001, school 77-0002,
        // region 77, venue 77-0042, the operator, the assessment, trials and recommendations services,
        // and the monitoring scraper of the admin listener
        #expect(first.stdout.components(separatedBy: "issued ").count - 1 == 12, "\(first.stdout)")
        #expect(first.stdout.contains("(bilet://operator/op-1/ws/1)"), "\(first.stdout)")
        let clients = [
            "workstation", "gost-workstation", "service", "service-trials", "service-recommendations", "school-b", "region", "venue", "operator",
            "monitoring",
        ]
        let files = ["gateway/server.pem", "gateway/gost-server.pem", "gateway/ca-bundle.pem", "gateway/crl.pem"]
            + clients.map { "clients/\($0).pem" }
        var before: [String: [UInt8]] = [:]
        for file in files { before[file] = try ProtectedFile.readPublic("\(directory)/\(file)") }
        for key in ["gateway/server.key", "gateway/gost-server.key", "ca/ecdsa/issuing-ca.key", "ca/gost/root-ca.key", "ca/issuing.passphrase",
                    "ca/root.passphrase"] + clients.map({ "clients/\($0).key" }) {
            #expect(try Self.mode("\(directory)/\(key)") == 0o600, "\(key)")
        }
        let second = try await BiletBinary.run(arguments, environment: credentials)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!second.stdout.contains("issued "), "\(second.stdout)")
        for file in files { #expect(try ProtectedFile.readPublic("\(directory)/\(file)") == before[file], "\(file) changed") }
        let count = try await database.withPool { try await $0.query("SELECT count(*) FROM ca.certificates").singleValue(Int64.self) }
        #expect(count == 16, "12 leaves and the root and issuing CA of both hierarchies")

        // the development PKI verifies with the independent tools
        let chain = "\(directory)/clients/workstation.pem"
        let certtool = try await ToolRunner.run("certtool", ["--verify", "--load-ca-certificate", "\(directory)/ca/ecdsa/root-ca.pem", "--infile", chain])
        #expect(certtool.stdout.contains("Chain verification output: Verified."), "\(certtool.stdout)")
        let gost = try await ToolRunner.run(
            "certtool", ["--verify", "--load-ca-certificate", "\(directory)/ca/gost/root-ca.pem", "--infile", "\(directory)/gateway/gost-server.pem"])
        #expect(gost.stdout.contains("Chain verification output: Verified."), "\(gost.stdout)")

        // a database without the records (recreated) gets them again, without new certificates
        let fresh = try await TestPostgres.makeDatabase(migrated: true)
        let third = try await BiletBinary.run(
            ["certs", "dev-setup", "--directory", directory, "--database-url", fresh.configuration.connectionString], environment: credentials)
        #expect(third.status == 0, "\(third.stderr)")
        #expect(!third.stdout.contains("issued "))
        let recorded = try await fresh.withPool { try await $0.query("SELECT count(*) FROM ca.certificates").singleValue(Int64.self) }
        #expect(recorded == 16)
        #expect(FileManager.default.fileExists(atPath: directory + "/credentials/bilet_gateway.password"))
    }

    @Test func rotateServerIssuesANewKeyAndTheGatewayServesItLive() async throws {
        let harness = try await CAGatewayHarness.start(subscriber: false)
        try await harness.fixture.enrol("bilet://service/assessment", name: "service")
        let before = try #require(try X509Certificate.list(pem: try ProtectedFile.readPublic(harness.fixture.path("server.pem"))).first)
        let keepAlive = try harness.keepAliveClient("service")
        keepAlive.send(GatewayAcceptanceTests.request)
        #expect(await keepAlive.waitForOutput("bilet://service/assessment"))

        let rotated = try await BiletBinary.run(
            ["certs", "rotate-server", "--cert", harness.fixture.path("server.pem"), "--key", harness.fixture.path("server.key")] + harness.cliOptions)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let after = try #require(try X509Certificate.list(pem: try ProtectedFile.readPublic(harness.fixture.path("server.pem"))).first)
        #expect(after.serialNumber != before.serialNumber)
        #expect(after.publicKey != before.publicKey)
        #expect(after.subjectAlternativeNames == before.subjectAlternativeNames)
        #expect(try Self.mode(harness.fixture.path("server.key")) == 0o600)

        // new handshakes get the new certificate once the gateway noticed (poll interval 0.5 s)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        var served: [UInt8] = []
        while served != after.serialNumber && clock.now < deadline {
            let shown = try await ToolRunner.run("openssl", [
                "s_client", "-connect", "127.0.0.1:\(harness.listeningPort)", "-CAfile", harness.fixture.path("ca-bundle.pem"),
                "-cert", harness.fixture.path("service.pem"), "-key", harness.fixture.path("service.key"), "-sigalgs", "ECDSA+SHA256",
            ], input: "")
            served = (try? X509Certificate.list(pem: Array(shown.stdout.utf8)).first?.serialNumber) ?? []
            if served != after.serialNumber { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(served == after.serialNumber)
        // the connection opened before the rotation carries on
        #expect(keepAlive.isRunning)
        keepAlive.send(GatewayAcceptanceTests.request)
        #expect(await keepAlive.waitForOutput("bilet://service/assessment", count: 2))
        await keepAlive.stop()
        let records = try await harness.fixture.authority().certificates(matching: InventoryFilter(profile: .server))
        await harness.stop()
        #expect(records.count == 3)
        #expect(records.contains { $0.serial == SerialNumber.hex(after.serialNumber) && $0.issuedBy == "admin:test" })
    }
}
