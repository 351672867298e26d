import Foundation
import GnuTLS
import TLS
import TLSTestSupport
import Testing

/// A CRL past its nextUpdate cannot say what was revoked since: the certificates of its issuer
/// are refused with `crl-expired` (fail closed), and the refusal is logged with that reason.
@Suite struct StaleCRLTests {
    /// Writes CRLs of both test CAs (platform and GOST) revoking nothing, valid from
    /// `thisUpdate` to `nextUpdate`, and returns the file's path.
    static func writeCRL(_ pki: TestPKI, thisUpdate: Int, nextUpdate: Int, authorities: [String] = ["ca", "gost-ca"]) async throws -> String {
        var pem = ""
        for ca in authorities {
            let certificate = try #require(try X509Certificate.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.path("\(ca).pem"))))).first)
            // the test PKI's keys are certtool's (SEC1 for ECDSA): as unencrypted PKCS#8
            let pkcs8 = try await ToolRunner.run("certtool", ["--to-p8", "--password", "", "--load-privkey", pki.path("\(ca).key")])
            let pemStart = try #require(pkcs8.stdout.range(of: "-----BEGIN " + "PRIVATE KEY-----"))
            let key = try PrivateKey(pemRepresentation: String(pkcs8.stdout[pemStart.lowerBound...]))
            let issuer = try CertificateIssuer(certificate: certificate, privateKey: key)
            pem += try issuer.revocationList(entries: [], number: UInt64(nextUpdate), thisUpdate: thisUpdate, nextUpdate: nextUpdate).pemRepresentation
        }
        let path = pki.path("crl-\(UUID().uuidString).pem")
        try pem.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }

    /// (seconds after the CRL's nextUpdate the check happens, the refusal expected)
    static let moments: [(Int, ClientCertificateRefusal?)] = [(-3600, nil), (-1, nil), (0, nil), (1, .crlExpired), (86_400, .crlExpired)]

    @Test(arguments: moments)
    func theRevocationPolicyRefusesOnceTheCRLIsPastItsNextUpdate(offset: Int, refusal: ClientCertificateRefusal?) async throws {
        let pki = try await SharedPKI.get()
        let nextUpdate = Self.now() + 7 * 86_400
        let store = try TrustStore(pemBundle: Array(Data(contentsOf: URL(fileURLWithPath: pki.caBundle))))
        let crl = try await Self.writeCRL(pki, thisUpdate: Self.now() - 60, nextUpdate: nextUpdate)
        let lists = try CertificateRevocationList.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: crl))))
        let revocations = try RevocationSet(revocationLists: lists, trustedBy: store)
        let chain = try VerifierTests.chain(.school, pki)
        #expect(revocations.nextUpdate(ofIssuer: chain[0].rawIssuer) == nextUpdate)
        #expect(RevocationPolicy(revocations: revocations).check(PresentedCertificate(chain: chain, now: nextUpdate + offset)) == refusal)
    }

    @Test func aStaleCRLOfAnUntrustedCAIsStillRefused() async throws {
        let pki = try await SharedPKI.get()
        let store = try TrustStore(pemBundle: Array(Data(contentsOf: URL(fileURLWithPath: pki.caBundle))))
        let crl = try await Self.writeCRL(pki, thisUpdate: Self.now() - 7200, nextUpdate: Self.now() - 3600, authorities: ["other-ca"])
        let lists = try CertificateRevocationList.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: crl))))
        #expect(throws: X509Error(.revocationListNotTrusted)) { try RevocationSet(revocationLists: lists, trustedBy: store) }
    }

    @Test func aRevokedCertificateIsStillReportedRevokedAndOtherIssuersAreRefusedForTheirOwnMissingCRL() async throws {
        let pki = try await SharedPKI.get()
        let store = try TrustStore(pemBundle: Array(Data(contentsOf: URL(fileURLWithPath: pki.caBundle))))
        let lists = try CertificateRevocationList.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.crl))))
        let revocations = try RevocationSet(revocationLists: lists, trustedBy: store)
        let policy = RevocationPolicy(revocations: revocations)
        let revoked = try VerifierTests.chain(.revoked, pki)
        let later = try #require(revocations.nextUpdate(ofIssuer: revoked[0].rawIssuer)) + 1
        #expect(policy.check(PresentedCertificate(chain: revoked, now: later)) == .revoked)
        // a certificate of a CA without a CRL in the set is not held to another CA's stale CRL, but
        // it is refused for having no CRL at all (issue 12, M1: it used to pass unchecked)
        let other = try VerifierTests.chain(.otherCA, pki)
        #expect(revocations.nextUpdate(ofIssuer: other[0].rawIssuer) == nil)
        #expect(policy.check(PresentedCertificate(chain: other, now: later)) == .crlMissing)
    }

    @Test func aStaleCRLIsLoadedButRefusesClientsAtTheHandshakeWithItsOwnReason() async throws {
        let pki = try await SharedPKI.get()
        let crl = try await Self.writeCRL(pki, thisUpdate: Self.now() - 7200, nextUpdate: Self.now() - 3600)
        let fixture = try await TLSFixture.start(crl: crl)
        defer { Task { await fixture.stop() } }
        #expect(fixture.logs.messages(containing: "tls crl past its nextUpdate").count == 1)

        let result = try await fixture.curl(.school)
        #expect(result.status != 0, "curl succeeded: \(result.stdout)")
        #expect(!result.stdout.contains("bilet://"))
        let outcomes = await fixture.server.waitForOutcomes(1)
        #expect(outcomes.first.map(RefusalTests.failure) == .refused(.crlExpired))
        let refusals = fixture.logs.messages(containing: "refused")
        #expect(refusals.count == 1)
        #expect(refusals.first?.metadata == ["tls.refusal": "crl-expired", "tls.listener": "test"])

        // a fresh CRL in its place lets the same client in again
        let fresh = try await Self.writeCRL(pki, thisUpdate: Self.now() - 60, nextUpdate: Self.now() + 3600)
        try FileManager.default.removeItem(atPath: crl)
        try FileManager.default.moveItem(atPath: fresh, toPath: crl)
        guard case .reloaded = fixture.store.reload(reason: "test") else {
            Issue.record("the fresh CRL was not loaded")
            return
        }
        let accepted = try await fixture.curl(.school)
        #expect(accepted.stdout.hasPrefix("bilet://school/77-1234/ws/3"), "\(accepted.stdout) \(accepted.stderr)")
    }
}
