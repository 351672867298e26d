import CertificateAuthority
import Foundation
import GnuTLS
import Identity
import TLSTestSupport
import Testing

/// Renewal without an administrator: `POST /v1/certificates/renew` over mTLS and `bilet certs renew`.
@Suite(.serialized) struct RenewalTests {
    static let identity = "bilet://school/77-1234/ws/3"

    /// A certificate issued 70 of its 90 days ago: in the last third of its lifetime.
    static func dueCertificate(_ harness: CAGatewayHarness, name: String = "ws", identity: String = identity, keyType: KeyType = .ecdsaP256) async throws -> IssuedCertificate {
        let now = Int(Date().timeIntervalSince1970)
        return try await harness.fixture.enrol(identity, name: name, keyType: keyType, authority: harness.fixture.authority(clock: { now - 70 * 86_400 }))
    }

    /// Changed with issue 12 (H2): the old certificate stays valid only during the renewal overlap
    /// (24 hours by default; ``RenewalSupersedeTests`` shows it revoked as superseded afterwards).
    @Test func renewalYieldsACertificateTheGatewayAcceptsWhileTheOldOneStaysValidDuringTheOverlap() async throws {
        let harness = try await CAGatewayHarness.start()
        let old = try await Self.dueCertificate(harness)
        try FileManager.default.copyItem(atPath: harness.fixture.path("ws.pem"), toPath: harness.fixture.path("old.pem"))
        try FileManager.default.copyItem(atPath: harness.fixture.path("ws.key"), toPath: harness.fixture.path("old.key"))
        let result = try await BiletBinary.run([
            "certs", "renew", "--gateway", "127.0.0.1:\(harness.listeningPort)", "--ca-bundle", harness.fixture.path("ca-bundle.pem"),
            "--cert", harness.fixture.path("ws.pem"), "--key", harness.fixture.path("ws.key"),
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("renewed: serial "))
        let renewed = try #require(try X509Certificate.list(pem: try ProtectedFile.readPublic(harness.fixture.path("ws.pem"))).first)
        #expect(renewed.serialNumber != old.certificate.serialNumber)
        #expect(renewed.subjectAlternativeURIs == [Self.identity])
        #expect(renewed.publicKey != old.certificate.publicKey)
        #expect(renewed.notAfter - renewed.notBefore == 90 * 86_400 + CertificateProfile.backdatingSeconds)
        let mode = try FileManager.default.attributesOfItem(atPath: harness.fixture.path("ws.key"))[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let new = try await harness.curl("ws")
        let previous = try await harness.curl("old")
        #expect(new.status == "200" && new.body.contains(Self.identity), "\(new.body)")
        #expect(previous.status == "200", "the old certificate stays valid during the renewal overlap")

        let record = try #require(try await harness.fixture.authority().certificate(serial: SerialNumber.hex(renewed.serialNumber)))
        #expect(record.renewedFrom == old.record.serial)
        #expect(record.issuedBy == Self.identity)
        #expect(try await harness.fixture.authority().certificate(serial: old.record.serial)?.status == .active)
        let events = try await harness.fixture.auditEvents("certificate.renewed")
        #expect(events.map(\.actor) == [Self.identity])
        #expect(events.first?.payload == ["identity": Self.identity, "profile": "workstation", "serial": "serial:\(record.serial)"])
        await harness.stop()
    }

    @Test func aGOSTWorkstationRenewsOverTheGOSTSuite() async throws {
        let harness = try await CAGatewayHarness.start(subscriber: false)
        let old = try await Self.dueCertificate(harness, name: "gost-ws", identity: "bilet://venue/50-0001/ws/2", keyType: .gost256)
        let result = try await BiletBinary.run([
            "certs", "renew", "--gateway", "127.0.0.1:\(harness.listeningPort)", "--ca-bundle", harness.fixture.path("ca-bundle.pem"),
            "--cert", harness.fixture.path("gost-ws.pem"), "--key", harness.fixture.path("gost-ws.key"), "--gost",
        ])
        let pem = try ProtectedFile.readPublic(harness.fixture.path("gost-ws.pem"))
        let accepted = try await ToolRunner.run("gnutls-cli", [
            "--x509cafile", harness.fixture.path("ca-bundle.pem"), "--priority", RenewalClient.gostPriority,
            "--x509certfile", harness.fixture.path("gost-ws.pem"), "--x509keyfile", harness.fixture.path("gost-ws.key"),
            "-p", "\(harness.listeningPort)", "127.0.0.1",
        ], input: "GET /v1/whoami HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        await harness.stop()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(accepted.stdout.contains(#""principal":"bilet://venue/50-0001/ws/2""#), "\(accepted.stdout)")
        let renewed = try #require(try X509Certificate.list(pem: pem).first)
        #expect(renewed.serialNumber != old.certificate.serialNumber)
        #expect(renewed.publicKeyAlgorithmName.contains("GOST"))
    }

    @Test func theClientDoesNothingBeforeTheWindowAndTheRouteRefusesIt() async throws {
        let harness = try await CAGatewayHarness.start(subscriber: false)
        let fresh = try await harness.fixture.enrol(Self.identity, name: "ws")
        let before = try ProtectedFile.readPublic(harness.fixture.path("ws.pem"))
        let idle = try await BiletBinary.run([
            "certs", "renew", "--gateway", "127.0.0.1:\(harness.listeningPort)", "--ca-bundle", harness.fixture.path("ca-bundle.pem"),
            "--cert", harness.fixture.path("ws.pem"), "--key", harness.fixture.path("ws.key"),
        ])
        #expect(idle.status == 0)
        #expect(idle.stdout.hasPrefix("not due: renewal opens "))
        #expect(try ProtectedFile.readPublic(harness.fixture.path("ws.pem")) == before)

        let forced = try await BiletBinary.run([
            "certs", "renew", "--gateway", "127.0.0.1:\(harness.listeningPort)", "--ca-bundle", harness.fixture.path("ca-bundle.pem"),
            "--cert", harness.fixture.path("ws.pem"), "--key", harness.fixture.path("ws.key"), "--force",
        ])
        #expect(forced.status != 0)
        #expect(forced.stderr.contains("409 outside-renewal-window"), "\(forced.stderr)")
        #expect(try ProtectedFile.readPublic(harness.fixture.path("ws.pem")) == before, "nothing replaced after a refusal")
        let request = try CertificateRequester.make(identity: try IdentityURI.parse(Self.identity)).request
        let answer = try await harness.renew("ws", requestPEM: request.pemRepresentation)
        #expect(answer.status == "409")
        #expect(answer.body.contains(#""code":"outside-renewal-window""#))
        #expect(try await harness.fixture.authority().certificates(matching: InventoryFilter(profile: .workstation)).map(\.serial) == [fresh.record.serial])
        await harness.stop()
    }

    enum Refusal: String, CaseIterable, CustomStringConvertible {
        case anotherIdentity, sameKey, badSignature, asksForServerAuth, notARequest, revokedCertificate, otherHierarchy
        var description: String { self.rawValue }
    }

    @Test(arguments: Refusal.allCases)
    func aRenewalIsRefused(refusal: Refusal) async throws {
        let harness = try await CAGatewayHarness.start(subscriber: false)
        let due = try await Self.dueCertificate(harness)
        let identity = try IdentityURI.parse(Self.identity)
        let requestPEM: String
        let expected: (status: String, code: String)
        switch refusal {
        case .anotherIdentity:
            let key = try PrivateKey.generate(algorithm: .ecdsaP256)
            requestPEM = try CertificateSigningRequest.make(
                key: key, subject: DistinguishedName(commonName: "x"), subjectAlternativeNames: [.uri("bilet://school/77-1234/ws/4")]
            ).pemRepresentation
            expected = ("403", "csr-identity-mismatch")
        case .sameKey:
            let key = try PrivateKey(pemRepresentation: String(decoding: try ProtectedFile.readSecret(harness.fixture.path("ws.key")), as: UTF8.self))
            requestPEM = try CertificateSigningRequest.make(
                key: key, subject: DistinguishedName(commonName: "x"), subjectAlternativeNames: [.uri(Self.identity)]).pemRepresentation
            expected = ("400", "key-reused")
        case .badSignature:
            var der = try CertificateRequester.make(identity: identity).request.der
            der[der.count - 5] ^= 0x01
            requestPEM = try CertificateSigningRequest(der: der).pemRepresentation
            expected = ("400", "csr-signature-invalid")
        case .asksForServerAuth:
            let key = try PrivateKey.generate(algorithm: .ecdsaP256)
            requestPEM = try CertificateSigningRequest.make(
                key: key, subject: DistinguishedName(commonName: "x"), subjectAlternativeNames: [.uri(Self.identity)],
                extendedKeyUsage: [KeyPurpose.serverAuth]).pemRepresentation
            expected = ("400", "csr-forbidden-usage")
        case .notARequest:
            requestPEM = "hello"
            expected = ("400", "csr-malformed")
        case .otherHierarchy:
            // an ECDSA workstation asking for a GOST certificate (issue 12, L12)
            requestPEM = try CertificateRequester.make(identity: identity, keyType: .gost256).request.pemRepresentation
            expected = ("400", "hierarchy-mismatch")
        case .revokedCertificate:
            // revoked in the inventory; this gateway has no CRL subscriber, so the handshake still
            // passes and the route itself must refuse
            _ = try await harness.fixture.authority().revoke(serial: due.record.serial, reason: .keyCompromise, actor: "admin:test")
            requestPEM = try CertificateRequester.make(identity: identity).request.pemRepresentation
            expected = ("403", "certificate-revoked")
        }
        let answer = try await harness.renew("ws", requestPEM: requestPEM)
        let count = try await harness.fixture.query("SELECT count(*) FROM ca.certificates").singleValue(Int64.self)
        let renewed = try await harness.fixture.auditEvents("certificate.renewed")
        let refusals = try await harness.fixture.refusalRecords()
        await harness.stop()
        #expect(answer.status == expected.status, "\(answer.body)")
        #expect(answer.body.contains(#""code":"\#(expected.code)""#), "\(answer.body)")
        #expect(count == 3, "the two server certificates and the one renewed, nothing new")
        #expect(renewed.isEmpty)
        // issue 12, L8: every refusal is on record, written by the CA, naming only codes and the serial
        #expect(
            refusals == [
                RefusalRecord(
                    actor: Self.identity, writer: "bilet_ca", onlyPayload: true,
                    payload: ["method": "certificate_renewal", "reason": expected.code, "certificate": "serial:\(due.record.serial)"])
            ], "\(refusals)")
    }

    /// A certificate that may not renew now never gets its body parsed by the CA (the process with the
    /// issuing keys): garbage from a certificate outside its window is refused for the window, not
    /// as a malformed request, and the refusal is on record.
    @Test func aBodyFromACertificateNotDueIsNotParsed() async throws {
        let harness = try await CAGatewayHarness.start(subscriber: false)
        let identity = try IdentityURI.parse(Self.identity)
        let fresh = try await harness.fixture.enrol(Self.identity, name: "fresh")
        let authority = harness.fixture.authority()
        let error = await #expect(throws: CertificateAuthorityError.self) {
            _ = try await authority.renew(
                requestPEM: "-----BEGIN CERTIFICATE REQUEST-----\nnot base64 at all\n-----END CERTIFICATE REQUEST-----\n",
                presentedSerial: fresh.certificate.serialNumber, principal: identity)
        }
        let refusals = try await harness.fixture.refusalRecords()
        await harness.stop()
        #expect(error?.code == .outsideRenewalWindow)
        #expect(refusals.map { $0.payload["reason"] } == ["outside-renewal-window"], "\(refusals)")
    }

    @Test func aRenewalAfterTheCertificateExpiredIsRefused() async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let now = Int(Date().timeIntervalSince1970)
        let expired = try await fixture.enrol(Self.identity, name: "ws", authority: fixture.authority(clock: { now - 91 * 86_400 }))
        #expect(expired.certificate.notAfter < now)
        let principal = try IdentityURI.parse(Self.identity)
        let refused = await #expect(throws: CertificateAuthorityError.self) {
            try await fixture.authority().renew(
                presentedSerial: expired.certificate.serialNumber, principal: principal,
                request: try CertificateRequester.make(identity: principal).request)
        }
        #expect(refused?.code == .certificateExpired)
        #expect(refused?.httpStatus == 403)
        #expect(try await fixture.auditEvents("certificate.renewed").isEmpty)
    }

    @Test func aRevokedCertificateCannotEvenConnectOnceTheCRLArrived() async throws {
        let harness = try await CAGatewayHarness.start()
        let due = try await Self.dueCertificate(harness)
        _ = try await harness.fixture.authority().revoke(serial: due.record.serial, reason: .keyCompromise, actor: "admin:test")
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(5)
        var applied = false
        while !applied && clock.now < deadline {
            applied = !harness.logs.messages(containing: "crl applied").isEmpty
            if !applied { try await Task.sleep(for: .milliseconds(50)) }
        }
        let result = try await BiletBinary.run([
            "certs", "renew", "--gateway", "127.0.0.1:\(harness.listeningPort)", "--ca-bundle", harness.fixture.path("ca-bundle.pem"),
            "--cert", harness.fixture.path("ws.pem"), "--key", harness.fixture.path("ws.key"),
        ])
        await harness.stop()
        #expect(applied)
        #expect(result.status != 0)
        #expect(result.stderr.contains("handshake-failed") || result.stderr.contains("io-failed"), "\(result.stderr)")
    }
}
