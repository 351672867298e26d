import Foundation
import GnuTLS
import TLS
import TLSTestSupport
import Testing

/// Issue 12, findings M1 and M2: revocation cannot fail open on a missing CRL, and a CRL never
/// goes back to an older one.
@Suite(.serialized) struct RevocationCoverageTests {
    static func files(_ pki: TestPKI, crl: String) -> TLSMaterialFiles {
        TLSMaterialFiles(
            serverKeyPairs: [
                .init(certificateChain: pki.serverCertificate, privateKey: pki.serverKey),
                .init(certificateChain: pki.gostServerCertificate, privateKey: pki.gostServerKey),
            ],
            clientCABundle: pki.caBundle, revocationList: crl)
    }

    /// A private copy of a file of the test PKI (tests replace it).
    static func copy(_ pki: TestPKI, _ name: String) throws -> String {
        let path = pki.path("copy-\(UUID().uuidString)-\(name)")
        try FileManager.default.copyItem(atPath: pki.path(name), toPath: path)
        return path
    }

    static func replace(_ path: String, with source: String) throws {
        let staging = path + ".new"
        try? FileManager.default.removeItem(atPath: staging)
        try FileManager.default.copyItem(atPath: source, toPath: staging)
        _ = rename(staging, path)
    }

    @Test func aGatewayWithAGOSTClientCAButNoGOSTCRLRefusesToStartNamingTheIssuer() async throws {
        let pki = try await SharedPKI.get()
        // crl.pem.ca: the platform (ECDSA) CA's CRL alone; the bundle also trusts the GOST CA
        let logs = RecordingLogHandler.Store()
        let refused = #expect(throws: TLSMaterialError.self) {
            _ = try TLSMaterialStore(
                files: Self.files(pki, crl: pki.path("crl.pem.ca")), registry: ConnectionRegistry(),
                logger: RecordingLogHandler.logger(logs))
        }
        #expect(refused?.code == .missingRevocationList)
        #expect(refused?.code.rawValue == "crl-missing")
        #expect(refused?.role == "crl")
        #expect(refused?.detail?.contains("bilet test platform GOST CA") == true, "\(refused?.description ?? "")")
        #expect(refused?.description.contains("bilet test platform GOST CA") == true)
    }

    @Test func droppingTheGOSTCRLOnReloadIsRefusedAndTheRevokedGOSTClientStaysRefused() async throws {
        let pki = try await SharedPKI.get()
        let name = "crl-revoking-gost-\(UUID().uuidString).pem"
        try await pki.generateCRL(named: name, revoking: [.revoked, .gost])
        let crl = try Self.copy(pki, name)
        let fixture = try await TLSFixture.start(crl: crl)
        defer { Task { await fixture.stop() } }
        let gost = try VerifierTests.chain(.gost, pki).map(\.der)
        #expect(fixture.store.current.verify(chain: gost, authentication: .required) == .refused(.revoked))

        // what the review demonstrated: only the ECDSA CRL left in the file, then a reload
        try await pki.generateCRL(named: "\(name).later", revoking: [.revoked])
        try Self.replace(crl, with: pki.path("\(name).later.ca"))
        let outcome = fixture.store.reload(reason: "test")
        guard case .failed(let error) = outcome else {
            Issue.record("the reload without a GOST CRL was accepted: \(outcome)")
            return
        }
        #expect(error.code == .missingRevocationList)
        #expect(error.detail?.contains("bilet test platform GOST CA") == true)
        #expect(fixture.store.current.verify(chain: gost, authentication: .required) == .refused(.revoked))
        let failed = fixture.logs.messages(containing: "reload failed")
        #expect(failed.first?.metadata["error.code"] == "crl-missing")
    }

    @Test func anOlderCRLOfAnIssuerIsRefusedOnReloadAndTheRevocationStays() async throws {
        let pki = try await SharedPKI.get()
        // crl.pem was made before crl-revoking-venue.pem: lower numbers, validly signed
        let crl = try Self.copy(pki, "crl-revoking-venue.pem")
        let fixture = try await TLSFixture.start(crl: crl)
        defer { Task { await fixture.stop() } }
        #expect(try await fixture.curl(.venue).status != 0, "the venue is revoked")

        try Self.replace(crl, with: pki.crl)
        let outcome = fixture.store.reload(reason: "test")
        guard case .failed(let error) = outcome else {
            Issue.record("the older CRL was accepted: \(outcome)")
            return
        }
        #expect(error.code == .revocationListRollback)
        #expect(error.code.rawValue == "crl-rollback")
        #expect(fixture.store.current.generation == 1)
        let venue = try await fixture.curl(.venue)
        #expect(venue.status != 0, "the venue got in again: \(venue.stdout)")
        let failed = try #require(fixture.logs.messages(containing: "reload failed").first)
        #expect(failed.metadata["error.code"] == "crl-rollback")
        #expect(failed.metadata["error.detail"]?.contains("bilet test platform") == true, "\(failed.metadata)")

        // the same CRL again is no rollback: the reload goes through
        try Self.replace(crl, with: pki.path("crl-revoking-venue.pem"))
        guard case .reloaded = fixture.store.reload(reason: "test") else {
            Issue.record("the CRL in force was refused when loaded again")
            return
        }
    }

    @Test func aCertificateWhoseIssuerHasNoCRLInForceIsRefusedWithCRLMissing() async throws {
        let pki = try await SharedPKI.get()
        let store = try TrustStore(pemBundle: Array(Data(contentsOf: URL(fileURLWithPath: pki.caBundle))))
        let lists = try CertificateRevocationList.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.path("crl.pem.ca")))))
        let verifier = ClientCertificateVerifier.standard(
            trustStore: store, revocations: try RevocationSet(revocationLists: lists, trustedBy: store))
        let gost = try VerifierTests.chain(.gost, pki)
        #expect(verifier.verify(chain: gost, authentication: .required) == .refused(.crlMissing))
        let school = try VerifierTests.chain(.school, pki)
        guard case .accepted = verifier.verify(chain: school, authentication: .required) else {
            Issue.record("a client of the CA with a CRL was refused")
            return
        }
    }

    @Test func twoCAsOfOneNameEachKeepTheirOwnCRL() async throws {
        // an issuing CA and its replacement under the same name, both in the bundle during the
        // rotation: the replacement's newer CRL must not stand in for the old CA's CRL
        let pki = try await SharedPKI.get()
        let tag = UUID().uuidString
        func path(_ name: String) -> String { pki.path("\(tag)-\(name)") }
        func certtool(_ arguments: [String]) async throws {
            let result = try await ToolRunner.run("certtool", arguments)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try await certtool(["--generate-privkey", "--key-type", "ecdsa", "--curve", "secp256r1", "--outfile", path("ca.key"), "--no-text"])
        try "cn = \"bilet test platform CA\"\norganization = \"bilet test\"\nca\ncert_signing_key\ncrl_signing_key\nexpiration_days = 30\n"
            .write(toFile: path("ca.tmpl"), atomically: true, encoding: .utf8)
        try await certtool([
            "--generate-self-signed", "--load-privkey", path("ca.key"), "--template", path("ca.tmpl"), "--outfile", path("ca.pem"), "--no-text",
        ])
        try "crl_next_update = 7\ncrl_number = 999999999\n".write(toFile: path("crl.tmpl"), atomically: true, encoding: .utf8)
        try await certtool([
            "--generate-crl", "--load-ca-privkey", path("ca.key"), "--load-ca-certificate", path("ca.pem"), "--template", path("crl.tmpl"),
            "--outfile", path("crl.pem"), "--no-text",
        ])
        let replacement = try #require(try X509Certificate.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: path("ca.pem"))))).first)
        let original = try #require(try X509Certificate.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.caCertificate)))).first)
        #expect(replacement.rawSubject == original.rawSubject, "the two CAs share their name")

        try (String(contentsOfFile: pki.caBundle, encoding: .utf8) + String(contentsOfFile: path("ca.pem"), encoding: .utf8))
            .write(toFile: path("bundle.pem"), atomically: true, encoding: .utf8)
        try (String(contentsOfFile: pki.crl, encoding: .utf8) + String(contentsOfFile: path("crl.pem"), encoding: .utf8))
            .write(toFile: path("crls.pem"), atomically: true, encoding: .utf8)
        let store = try TrustStore(pemBundle: Array(Data(contentsOf: URL(fileURLWithPath: path("bundle.pem")))))
        let lists = try CertificateRevocationList.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: path("crls.pem")))))
        let verifier = ClientCertificateVerifier.standard(
            trustStore: store, revocations: try RevocationSet(revocationLists: lists, trustedBy: store))
        #expect(verifier.verify(chain: try VerifierTests.chain(.revoked, pki), authentication: .required) == .refused(.revoked))

        // and without the original CA's CRL, the material refuses to load
        try String(contentsOfFile: pki.path("crl.pem.gost-ca"), encoding: .utf8).appending(String(contentsOfFile: path("crl.pem"), encoding: .utf8))
            .write(toFile: path("crls-without-original.pem"), atomically: true, encoding: .utf8)
        var files = Self.files(pki, crl: path("crls-without-original.pem"))
        files.clientCABundle = path("bundle.pem")
        let refused = #expect(throws: TLSMaterialError.self) {
            _ = try TLSMaterialStore(files: files, registry: ConnectionRegistry(), logger: RecordingLogHandler.logger(RecordingLogHandler.Store()))
        }
        #expect(refused?.code == .missingRevocationList)
    }
}
