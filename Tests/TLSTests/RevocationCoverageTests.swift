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
}
