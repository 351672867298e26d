import Foundation
import GnuTLS
import Identity
import TLS
import TLSTestSupport
import Testing

/// The verifier and its policies on their own, over certificates from the test PKI.
@Suite struct VerifierTests {
    static func chain(_ client: TestPKI.Client, _ pki: TestPKI) throws -> [X509Certificate] {
        try X509Certificate.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.certificate(client)))))
    }

    static func verifier(_ pki: TestPKI, crl: String? = nil) throws -> ClientCertificateVerifier {
        let store = try TrustStore(pemBundle: Array(Data(contentsOf: URL(fileURLWithPath: pki.caBundle))))
        let lists = try CertificateRevocationList.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: crl ?? pki.crl))))
        return .standard(trustStore: store, revocations: try RevocationSet(revocationLists: lists, trustedBy: store))
    }

    /// `nil`: accepted with the given principal.
    static let cases: [(TestPKI.Client, ClientCertificateRefusal?, String?)] = [
        (.school, nil, "bilet://school/77-1234/ws/3"),
        (.service, nil, "bilet://service/assessment"),
        (.venue, nil, "bilet://venue/77-0042/ws/1"),
        (.gost, nil, "bilet://school/77-1234/ws/4"),
        (.expired, .expired, nil),
        (.notYetValid, .notYetValid, nil),
        (.otherCA, .unknownIssuer, nil),
        (.selfSigned, .unknownIssuer, nil),
        (.revoked, .revoked, nil),
        (.serverUsageOnly, .wrongUsage, nil),
        (.noExtendedKeyUsage, .wrongUsage, nil),
        (.noIdentity, .noIdentity, nil),
        (.twoIdentities, .noIdentity, nil),
    ]

    @Test(arguments: cases)
    func verifies(client: TestPKI.Client, refusal: ClientCertificateRefusal?, principal: String?) async throws {
        let pki = try await SharedPKI.get()
        let outcome = try Self.verifier(pki).verify(chain: try Self.chain(client, pki), authentication: .required)
        switch outcome {
        case .accepted(let verified):
            #expect(refusal == nil)
            #expect(verified.principal.uri == principal)
        case .refused(let reason):
            #expect(reason == refusal)
        case .anonymous:
            Issue.record("a presented chain is never anonymous")
        }
    }

    @Test func acceptedClientCarriesItsPrincipalAndRevocationKeys() async throws {
        let pki = try await SharedPKI.get()
        let chain = try Self.chain(.gost, pki)
        guard case .accepted(let client) = try Self.verifier(pki).verify(chain: chain, authentication: .required) else {
            Issue.record("refused")
            return
        }
        #expect(client.principal.uri == "bilet://school/77-1234/ws/4")
        // the leaf, then its issuer from the gateway's own trust store (issue 12, L6)
        let gostCA = try #require(try X509Certificate.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.path("gost-ca.pem"))))).first)
        #expect(client.revocationKeys == [RevocationKey(chain[0]), RevocationKey(gostCA)])
        #expect(client.notAfter == min(chain[0].notAfter, gostCA.notAfter))
        #expect(chain[0].publicKeyAlgorithmName.contains("GOST"))
    }

    @Test func noChainIsAnonymousUnlessRequired() async throws {
        let pki = try await SharedPKI.get()
        let verifier = try Self.verifier(pki)
        #expect(verifier.verify(chain: [], authentication: .required) == .refused(.noCertificate))
        #expect(verifier.verify(chain: [], authentication: .optional) == .anonymous)
    }

    @Test func theClockDecidesValidity() async throws {
        let pki = try await SharedPKI.get()
        let leaf = try Self.chain(.school, pki)
        let policy = ValidityPeriodPolicy()
        #expect(policy.check(PresentedCertificate(chain: leaf, now: leaf[0].notBefore - 1)) == .notYetValid)
        #expect(policy.check(PresentedCertificate(chain: leaf, now: leaf[0].notAfter + 1)) == .expired)
        #expect(policy.check(PresentedCertificate(chain: leaf, now: leaf[0].notBefore + 10)) == nil)
    }

    @Test func revocationIsALookupOfIssuerAndSerial() async throws {
        let pki = try await SharedPKI.get()
        let revoked = try Self.chain(.revoked, pki)[0]
        let set = RevocationSet(keys: [RevocationKey(issuer: revoked.rawIssuer, serial: [0] + revoked.serialNumber).normalised])
        #expect(set.contains(RevocationKey(revoked)))
        // same serial under another issuer is not revoked
        let other = try Self.chain(.otherCA, pki)[0]
        #expect(!set.contains(RevocationKey(issuer: other.rawIssuer, serial: revoked.serialNumber)))
    }

    @Test func aCRLSignedByAnUntrustedCAIsRefused() async throws {
        let pki = try await SharedPKI.get()
        let store = try TrustStore(pemBundle: Array(Data(contentsOf: URL(fileURLWithPath: pki.path("other-ca.pem")))))
        let lists = try CertificateRevocationList.list(pem: Array(Data(contentsOf: URL(fileURLWithPath: pki.crl))))
        #expect(throws: X509Error(.revocationListNotTrusted)) { try RevocationSet(revocationLists: lists, trustedBy: store) }
    }

    @Test func certificateFieldsAreRead() async throws {
        let pki = try await SharedPKI.get()
        let leaf = try Self.chain(.twoIdentities, pki)[0]
        #expect(leaf.subjectAlternativeURIs == ["bilet://school/77-1234/ws/12", "bilet://service/assessment"])
        #expect(leaf.extendedKeyUsage == [KeyPurpose.clientAuth])
        #expect(leaf.keyUsage?.contains(.digitalSignature) == true)
        #expect(!leaf.isCertificateAuthority)
        #expect(try Self.chain(.noExtendedKeyUsage, pki)[0].extendedKeyUsage == nil)
        #expect(try Self.chain(.selfSigned, pki)[0].isSelfIssued)
        #expect(leaf.serialNumber.first != 0)
    }

    @Test(arguments: [Array("not a pem".utf8), [UInt8]()])
    func brokenInputIsRefusedWithACode(bytes: [UInt8]) {
        #expect(throws: X509Error.self) { try X509Certificate.list(pem: bytes) }
        #expect(throws: X509Error.self) { try TrustStore(pemBundle: bytes) }
    }
}

extension RevocationKey {
    /// The key with its serial's leading zero bytes stripped, as certificates and CRLs give it.
    var normalised: RevocationKey {
        let trimmed = Array(self.serial.drop(while: { $0 == 0 }))
        return RevocationKey(issuer: self.issuer, serial: trimmed.isEmpty ? [0] : trimmed)
    }
}

/// The cache of accepted chains: same chain answered from it, refusals never cached, emptied by a reload.
@Suite struct VerifiedChainCacheTests {
    @Test func acceptedChainsAreRememberedPerGeneration() async throws {
        let pki = try await SharedPKI.get()
        let store = try TLSMaterialStore(
            files: TLSMaterialFiles(
                serverKeyPairs: [.init(certificateChain: pki.serverCertificate, privateKey: pki.serverKey)],
                clientCABundle: pki.caBundle, revocationList: pki.crl),
            registry: ConnectionRegistry(), logger: .init(label: "test"))
        func der(_ client: TestPKI.Client) throws -> [[UInt8]] { try VerifierTests.chain(client, pki).map(\.der) }
        let material = store.current
        for _ in 0..<3 {
            guard case .accepted(let client) = material.verify(chain: try der(.school), authentication: .required) else {
                Issue.record("refused")
                return
            }
            #expect(client.principal.uri == "bilet://school/77-1234/ws/3")
        }
        #expect(material.verifiedChainCount == 1)
        #expect(material.verify(chain: try der(.revoked), authentication: .required) == .refused(.revoked))
        #expect(material.verify(chain: try der(.revoked), authentication: .required) == .refused(.revoked))
        #expect(material.verifiedChainCount == 1)
        #expect(material.verify(chain: [[0x30, 0x03, 0x02, 0x01, 0x00]], authentication: .required) == .refused(.invalidChain))
        store.reload(reason: "test")
        #expect(store.current.verifiedChainCount == 0)
    }
}
