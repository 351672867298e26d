import CertificateAuthority
import Foundation
import GnuTLS
import Identity
import PostgreSQL
import TLSTestSupport
import Testing

/// `sign` and `server`: what the CA writes into certificates, what it refuses, and the inventory
/// and audit records of everything it issues.
@Suite struct SigningTests {
    static let workstation = "bilet://school/77-1234/ws/3"

    @Test func aWorkstationCertificateCarriesTheIdentityTheAdministratorNamed() async throws {
        let fixture = try await CAFixture.make()
        defer { Task { await fixture.tearDown() } }
        // the request asks for no identity at all: the CA writes the one it was given
        let key = try PrivateKey.generate(algorithm: .ecdsaP256)
        let request = try CertificateSigningRequest.make(key: key, subject: DistinguishedName(commonName: "anything"))
        let principal = try IdentityURI.parse(Self.workstation)
        let issued = try await fixture.authority().sign(request, for: principal, actor: "admin:test")
        let certificate = issued.certificate
        #expect(certificate.subjectAlternativeURIs == [Self.workstation])
        #expect(certificate.commonName == Self.workstation)
        #expect(certificate.extendedKeyUsage == [KeyPurpose.clientAuth])
        #expect(certificate.keyUsage == [.digitalSignature])
        #expect(!certificate.isCertificateAuthority)
        #expect(certificate.serialNumber.count == 16)
        #expect(certificate.notAfter - certificate.notBefore == 90 * 86_400 + CertificateProfile.backdatingSeconds)
        #expect(certificate.publicKey == key.publicKey)
        #expect(certificate.rawIssuer == fixture.issuers[.ecdsa]?.certificate.rawSubject)

        let record = issued.record
        #expect(record.serial == SerialNumber.hex(certificate.serialNumber))
        #expect(record.profile == .workstation)
        #expect(record.organisation == "school/77-1234")
        #expect(record.identity == Self.workstation)
        #expect(record.keyType == .ecdsaP256)
        #expect(record.hierarchy == .ecdsa)
        #expect(record.status == .active)
        #expect(Int(record.notAfter.timeIntervalSince1970) == certificate.notAfter)
        #expect(record.issuedBy == "admin:test")
        let stored = try await fixture.query("SELECT certificate FROM ca.certificates WHERE serial = \(record.serial)").singleValue([UInt8].self)
        #expect(stored == certificate.der)

        let events = try await fixture.auditEvents("certificate.issued")
        #expect(events.count == 1)
        #expect(events.first?.actor == "admin:test")
        #expect(events.first?.payload == ["identity": "bilet://school/77-1234/ws/3", "profile": "workstation", "serial": "serial:\(record.serial)"])
    }

    @Test(arguments: [
        (KeyType.gost256, Hierarchy.gost), (.ecdsaP256, .ecdsa), (.ed25519, .ecdsa),
    ])
    func theKeyTypeChoosesTheHierarchy(keyType: KeyType, hierarchy: Hierarchy) async throws {
        let fixture = try await CAFixture.make()
        defer { Task { await fixture.tearDown() } }
        let issued = try await fixture.enrol("bilet://service/assessment", name: "svc", keyType: keyType)
        #expect(issued.record.hierarchy == hierarchy)
        #expect(issued.record.keyType == keyType)
        #expect(issued.record.profile == .service)
        #expect(issued.record.organisation == nil)
        #expect(issued.certificate.rawIssuer == fixture.issuers[hierarchy]?.certificate.rawSubject)
        let store = try TrustStore(pemBundle: try ProtectedFile.readPublic(fixture.authorityDirectory.bundle))
        #expect(store.verify(chain: [issued.certificate], purpose: KeyPurpose.clientAuth).isEmpty)
    }

    enum BadRequest: String, CaseIterable, CustomStringConvertible {
        case tamperedSignature, asksForCA, asksForServerAuth, asksForServerAndClientAuth, asksForAnotherIdentity
        var description: String { self.rawValue }

        var expected: CertificateAuthorityError.Code {
            switch self {
            case .tamperedSignature: .csrSignatureInvalid
            case .asksForCA: .csrRequestsCA
            case .asksForServerAuth, .asksForServerAndClientAuth: .csrForbiddenUsage
            case .asksForAnotherIdentity: .csrIdentityMismatch
            }
        }

        func request() throws -> CertificateSigningRequest {
            let key = try PrivateKey.generate(algorithm: .ecdsaP256)
            let subject = DistinguishedName(commonName: "ws-3")
            let uri = SubjectAlternativeName.uri(SigningTests.workstation)
            switch self {
            case .tamperedSignature:
                let good = try CertificateSigningRequest.make(key: key, subject: subject, subjectAlternativeNames: [uri])
                var der = good.der
                der[der.count - 5] ^= 0x01  // inside the signature value
                return try CertificateSigningRequest(der: der)
            case .asksForCA:
                return try CertificateSigningRequest.make(key: key, subject: subject, subjectAlternativeNames: [uri], requestsCertificateAuthority: true)
            case .asksForServerAuth:
                return try CertificateSigningRequest.make(key: key, subject: subject, subjectAlternativeNames: [uri], extendedKeyUsage: [KeyPurpose.serverAuth])
            case .asksForServerAndClientAuth:
                return try CertificateSigningRequest.make(
                    key: key, subject: subject, subjectAlternativeNames: [uri], extendedKeyUsage: [KeyPurpose.clientAuth, KeyPurpose.serverAuth])
            case .asksForAnotherIdentity:
                return try CertificateSigningRequest.make(key: key, subject: subject, subjectAlternativeNames: [.uri("bilet://school/77-1234/ws/4")])
            }
        }
    }

    @Test(arguments: BadRequest.allCases)
    func aBadRequestIsRefusedAndNothingIsIssued(kind: BadRequest) async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let request = try kind.request()
        let principal = try IdentityURI.parse(Self.workstation)
        let error = await #expect(throws: CertificateAuthorityError.self) {
            try await fixture.authority().sign(request, for: principal, actor: "admin:test")
        }
        #expect(error?.code == kind.expected)
        #expect(try await fixture.query("SELECT count(*) FROM ca.certificates").singleValue(Int64.self) == 0)
        #expect(try await fixture.auditEvents("certificate.issued").isEmpty)
    }

    @Test func aGOSTRequestWithoutAGOSTHierarchyIsRefused() async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let error = await #expect(throws: CertificateAuthorityError.self) {
            try await fixture.enrol(Self.workstation, name: "ws", keyType: .gost256)
        }
        #expect(error?.code == .hierarchyUnavailable)
    }

    @Test func issuedCertificatesVerifyWithOpenSSLAndCerttool() async throws {
        let fixture = try await CAFixture.make()
        defer { Task { await fixture.tearDown() } }
        try await fixture.enrol(Self.workstation, name: "ws")
        try await fixture.enrol("bilet://service/assessment", name: "service")
        try await fixture.enrol("bilet://venue/77-0042/ws/1", name: "gost-ws", keyType: .gost256)
        try await fixture.server(name: "server", keyType: .ecdsaP256)
        let files = fixture.authorityDirectory.files(.ecdsa)
        for (name, purpose) in [("ws", "sslclient"), ("service", "sslclient"), ("server", "sslserver")] {
            let leaf = fixture.path("\(name)-leaf.pem")
            let chain = String(decoding: try ProtectedFile.readPublic(fixture.path("\(name).pem")), as: UTF8.self)
            let firstEnd = try #require(chain.range(of: "-----END CERTIFICATE-----\n"))
            try String(chain[..<firstEnd.upperBound]).write(toFile: leaf, atomically: true, encoding: .utf8)
            let openssl = try await ToolRunner.run(
                "openssl", ["verify", "-CAfile", files.rootCertificate, "-untrusted", files.issuingCertificate, "-purpose", purpose, leaf])
            #expect(openssl.status == 0 && openssl.stdout.contains(": OK"), "\(name): \(openssl.stdout)\(openssl.stderr)")
            let certtool = try await ToolRunner.run(
                "certtool", ["--verify", "--load-ca-certificate", files.rootCertificate, "--infile", fixture.path("\(name).pem")])
            #expect(certtool.status == 0 && certtool.stdout.contains("Chain verification output: Verified."), "\(name): \(certtool.stdout)")
        }
        let gost = try await ToolRunner.run(
            "certtool", ["--verify", "--load-ca-certificate", fixture.authorityDirectory.files(.gost).rootCertificate, "--infile", fixture.path("gost-ws.pem")])
        #expect(gost.status == 0 && gost.stdout.contains("Chain verification output: Verified."), "\(gost.stdout)")
        #expect(gost.stdout.contains("GOST"))
    }

    @Test func serverCertificatesNameHostsAndAddresses() async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let key = try PrivateKey.generate(algorithm: .ecdsaP256)
        let issued = try await fixture.authority().issueServer(
            names: [.dnsName("gw1.bilet.test"), .ipAddress("192.0.2.10")!], publicKey: key.publicKey, actor: "admin:test")
        #expect(issued.certificate.extendedKeyUsage == [KeyPurpose.serverAuth])
        #expect(issued.certificate.subjectAlternativeNames.map(\.description) == ["DNS:gw1.bilet.test", "IP:192.0.2.10"])
        #expect(issued.record.profile == .server)
        #expect(issued.record.identity == "dns:gw1.bilet.test")
        #expect(issued.record.organisation == nil)
        let refused = await #expect(throws: CertificateAuthorityError.self) {
            try await fixture.authority().issueServer(names: [.uri("bilet://service/x")], publicKey: key.publicKey, actor: "admin:test")
        }
        #expect(refused?.code == .invalidArgument)
    }

    @Test func theInventoryListsByOrganisationStateAndExpiry() async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let now = Int(Date().timeIntervalSince1970)
        let a = try await fixture.enrol("bilet://school/77-1234/ws/1", name: "a")
        let b = try await fixture.enrol("bilet://school/77-1234/ws/2", name: "b", authority: fixture.authority(clock: { now - 80 * 86_400 }))
        let c = try await fixture.enrol("bilet://venue/50-0001/ws/1", name: "c")
        let d = try await fixture.enrol("bilet://service/assessment", name: "d")
        let e = try await fixture.enrol("bilet://school/77-1234/ws/5", name: "e", authority: fixture.authority(clock: { now - 100 * 86_400 }))
        _ = try await fixture.authority().revoke(serial: c.record.serial, reason: .keyCompromise, actor: "admin:test")
        let authority = fixture.authority()
        func serials(_ filter: InventoryFilter) async throws -> Set<String> { Set(try await authority.certificates(matching: filter).map(\.serial)) }

        #expect(try await serials(InventoryFilter()) == [a, b, c, d, e].map(\.record.serial).reduce(into: Set()) { $0.insert($1) })
        #expect(try await serials(InventoryFilter(organisation: "school/77-1234")) == [a.record.serial, b.record.serial, e.record.serial])
        #expect(try await serials(InventoryFilter(organisation: "50-0001")) == [c.record.serial])
        #expect(try await serials(InventoryFilter(state: .revoked)) == [c.record.serial])
        #expect(try await serials(InventoryFilter(state: .expired)) == [e.record.serial])
        #expect(try await serials(InventoryFilter(state: .active)) == [a.record.serial, b.record.serial, d.record.serial])
        #expect(try await serials(InventoryFilter(expiringWithinDays: 30)) == [b.record.serial])
        #expect(try await serials(InventoryFilter(organisation: "school/77-1234", expiringWithinDays: 120)) == [a.record.serial, b.record.serial])
        #expect(try await serials(InventoryFilter(profile: .service)) == [d.record.serial])
        let revoked = try #require(try await authority.certificate(serial: c.record.serial))
        #expect(revoked.revocationReason == "key_compromise")
        #expect(revoked.state(at: Date()) == .revoked)
    }

    @Test func revokingTwiceOrAnUnknownSerialIsRefused() async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let issued = try await fixture.enrol(Self.workstation, name: "ws")
        let authority = fixture.authority()
        let revocation = try await authority.revoke(serial: issued.record.serial.uppercased(), reason: .superseded, actor: "admin:test")
        #expect(revocation.record.status == .revoked)
        #expect(revocation.revocationList.revokedCount == 1)
        #expect(revocation.revocationList.number == 2)
        let crl = try #require(try CertificateRevocationList.list(pem: Array(revocation.revocationList.pem.utf8)).first)
        #expect(try crl.revokedSerialNumbers() == [issued.certificate.serialNumber])
        #expect(crl.number == 2)
        #expect(crl.nextUpdate.map { $0 - crl.thisUpdate } == 7 * 86_400)
        let again = await #expect(throws: CertificateAuthorityError.self) {
            try await authority.revoke(serial: issued.record.serial, reason: .superseded, actor: "admin:test")
        }
        #expect(again?.code == .alreadyRevoked)
        let unknown = await #expect(throws: CertificateAuthorityError.self) {
            try await authority.revoke(serial: "0123456789abcdef", reason: .superseded, actor: "admin:test")
        }
        #expect(unknown?.code == .certificateUnknown)
        let events = try await fixture.auditEvents("certificate.revoked")
        #expect(events.map(\.payload) == [
            ["identity": "bilet://school/77-1234/ws/3", "profile": "workstation", "reason": "superseded", "serial": "serial:\(issued.record.serial)"]
        ])
        #expect(events.map(\.actor) == ["admin:test"])
        #expect(try await fixture.query("SELECT count(*) FROM ca.revocation_lists").singleValue(Int64.self) == 1)
    }
}

/// `bilet certs crl`: fresh CRLs for every hierarchy, numbered upwards, announced to listeners.
@Suite struct RevocationListPublishingTests {
    @Test func publishingRefreshesEveryHierarchyAndNotifies() async throws {
        let fixture = try await CAFixture.make()
        defer { Task { await fixture.tearDown() } }
        let revoked = try await fixture.enrol("bilet://school/77-1234/ws/3", name: "ws", keyType: .gost256)
        let authority = fixture.authority()
        _ = try await authority.revoke(serial: revoked.record.serial, reason: .affiliationChanged, actor: "admin:test")
        let lists = try await authority.publishRevocationLists()
        #expect(lists.map(\.hierarchy) == [.ecdsa, .gost])
        #expect(lists.map(\.number) == [3, 4])
        #expect(lists.map(\.revokedCount) == [0, 1])
        let gost = try #require(try CertificateRevocationList.list(pem: Array(lists[1].pem.utf8)).first)
        #expect(try gost.revokedSerialNumbers() == [revoked.certificate.serialNumber])
        let store = try TrustStore(pemBundle: try ProtectedFile.readPublic(fixture.authorityDirectory.bundle))
        #expect(store.isTrustedIssuer(of: gost))
        let rows = try await fixture.query("SELECT crl_number, hierarchy FROM ca.revocation_lists ORDER BY crl_number")
        #expect(try rows.map { try $0.decode(Int64.self, at: 0) } == [2, 3, 4])
    }
}
