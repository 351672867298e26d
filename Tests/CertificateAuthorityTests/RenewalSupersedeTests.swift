import CertificateAuthority
import Foundation
import GnuTLS
import Identity
import TLSTestSupport
import Testing

/// Issue 12, finding H2: a certificate is renewed once, the renewed certificate is revoked as
/// `superseded` after the overlap, and revoking a certificate revokes what was renewed from it.
@Suite(.serialized) struct RenewalSupersedeTests {
    static let identity = RenewalTests.identity

    /// Waits until the gateway's CRL subscriber has applied `count` CRLs in all.
    static func waitForCRLs(_ harness: CAGatewayHarness, count: Int) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while clock.now < deadline {
            if harness.logs.messages(containing: "crl applied").count >= count { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    /// Renews `name` over the route with a fresh key; the new chain and key go to `newName`.
    static func renew(_ harness: CAGatewayHarness, _ name: String, into newName: String) async throws -> (status: String, body: String) {
        let principal = try IdentityURI.parse(Self.identity)
        let request = try CertificateRequester.request(
            identity: principal, keyType: .ecdsaP256, keyPath: harness.fixture.path("\(newName).key"), replacingKey: true)
        let answer = try await harness.renew(name, requestPEM: request.request.pemRepresentation)
        if answer.status == "200" { try ProtectedFile.writePublic(answer.body, to: harness.fixture.path("\(newName).pem")) }
        return answer
    }

    @Test func aSecondRenewalOfTheSameCertificateIsRefusedWithAlreadyRenewed() async throws {
        let harness = try await CAGatewayHarness.start(subscriber: false)
        let due = try await RenewalTests.dueCertificate(harness)
        let first = try await Self.renew(harness, "ws", into: "a")
        let second = try await Self.renew(harness, "ws", into: "b")
        let records = try await harness.fixture.authority().certificates(matching: InventoryFilter(profile: .workstation))
        let renewed = try await harness.fixture.auditEvents("certificate.renewed")
        let refusals = try await harness.fixture.refusalRecords()
        await harness.stop()
        #expect(first.status == "200", "\(first.body)")
        #expect(second.status == "409", "\(second.body)")
        #expect(second.body.contains(#""code":"already-renewed""#), "\(second.body)")
        #expect(records.count == 2, "the original and one renewal, nothing else")
        #expect(records.filter { $0.renewedFrom == due.record.serial }.count == 1)
        #expect(renewed.count == 1)
        // issue 12, L8: the refused second renewal is on record
        #expect(
            refusals == [
                RefusalRecord(
                    actor: Self.identity, writer: "bilet_ca", onlyPayload: true,
                    payload: ["method": "certificate_renewal", "reason": "already-renewed", "certificate": "serial:\(due.record.serial)"])
            ], "\(refusals)")
    }

    @Test func theDatabaseRefusesASecondSuccessorEvenIfTheCheckIsRaced() async throws {
        // two renewals at once: whichever loses the race on UNIQUE renewed_from gets already-renewed
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let now = Int(Date().timeIntervalSince1970)
        let due = try await fixture.enrol(Self.identity, name: "ws", authority: fixture.authority(clock: { now - 70 * 86_400 }))
        let principal = try IdentityURI.parse(Self.identity)
        let authority = fixture.authority()
        let outcomes = await withTaskGroup(of: CertificateAuthorityError.Code?.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    do {
                        _ = try await authority.renew(
                            presentedSerial: due.certificate.serialNumber, principal: principal,
                            request: try CertificateRequester.make(identity: principal).request)
                        return nil
                    } catch let error as CertificateAuthorityError {
                        return error.code
                    } catch {
                        return .storage
                    }
                }
            }
            var all: [CertificateAuthorityError.Code?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        #expect(outcomes.filter { $0 == nil }.count == 1, "\(outcomes)")
        #expect(outcomes.compactMap { $0 }.allSatisfy { $0 == .alreadyRenewed }, "\(outcomes)")
        // issue 12, L8: each loser is on record, also when the database's UNIQUE rolled its renewal back
        let refusals = try await fixture.refusalRecords()
        #expect(refusals.count == 3, "\(refusals)")
        #expect(refusals.allSatisfy { $0.payload["reason"] == "already-renewed" && $0.actor == Self.identity && $0.writer == "bilet_ca" })
        let successors = try await fixture.query(
            "SELECT count(*) FROM ca.certificates WHERE renewed_from = \(due.record.serial)").singleValue(Int64.self)
        #expect(successors == 1)
    }

    @Test func revokingTheOldCertificateRevokesItsSuccessorAndTheGatewayRefusesBoth() async throws {
        let harness = try await CAGatewayHarness.start()
        let due = try await RenewalTests.dueCertificate(harness)
        let renewal = try await Self.renew(harness, "ws", into: "new")
        #expect(renewal.status == "200", "\(renewal.body)")
        #expect(try await harness.curl("new").status == "200")

        let revocation = try await harness.fixture.authority().revoke(serial: due.record.serial, reason: .keyCompromise, actor: "admin:test")
        #expect(await Self.waitForCRLs(harness, count: 1), "the revocation's CRL")
        let new = try await harness.curl("new")
        let old = try await harness.curl("ws")
        let successor = try #require(revocation.successors.first)
        let stored = try await harness.fixture.authority().certificate(serial: successor.serial)
        let events = try await harness.fixture.auditEvents("certificate.revoked")
        await harness.stop()
        #expect(revocation.successors.count == 1)
        #expect(stored?.status == .revoked)
        #expect(stored?.revocationReason == "key_compromise")
        #expect(new.status != "200", "the successor is refused: \(new.status) \(new.body)")
        #expect(old.status != "200")
        #expect(events.map { $0.payload["serial"] ?? "" }.sorted() == ["serial:\(due.record.serial)", "serial:\(successor.serial)"].sorted())
        #expect(events.allSatisfy { $0.actor == "admin:test" && $0.payload["reason"] == "key_compromise" })
    }

    @Test func revokingASupersededCertificateStillRevokesItsLiveSuccessor() async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let now = Int(Date().timeIntervalSince1970)
        let due = try await fixture.enrol(Self.identity, name: "ws", authority: fixture.authority(clock: { now - 70 * 86_400 }))
        let principal = try IdentityURI.parse(Self.identity)
        let authority = fixture.authority(renewalOverlapSeconds: 0)
        let renewed = try await authority.renew(
            presentedSerial: due.certificate.serialNumber, principal: principal, request: try CertificateRequester.make(identity: principal).request)
        #expect(try await authority.supersedeRenewedCertificates().map(\.serial) == [due.record.serial])
        let revocation = try await authority.revoke(serial: due.record.serial, reason: .keyCompromise, actor: "admin:test")
        #expect(revocation.successors.map(\.serial) == [renewed.record.serial])
        #expect(try await authority.certificate(serial: renewed.record.serial)?.status == .revoked)
        let again = await #expect(throws: CertificateAuthorityError.self) {
            try await authority.revoke(serial: due.record.serial, reason: .keyCompromise, actor: "admin:test")
        }
        #expect(again?.code == .alreadyRevoked)
    }

    @Test func theOldCertificateIsSupersededAfterTheOverlapByTheRefresher() async throws {
        let harness = try await CAGatewayHarness.start()
        let due = try await RenewalTests.dueCertificate(harness)
        let renewal = try await Self.renew(harness, "ws", into: "new")
        #expect(renewal.status == "200", "\(renewal.body)")
        // inside the overlap nothing is superseded
        #expect(try await harness.fixture.authority(renewalOverlapSeconds: 3600).supersedeRenewedCertificates().isEmpty)
        #expect(try await harness.curl("ws").status == "200")

        // a refresher holding the CA with a 1-second overlap revokes the old certificate as superseded
        try await Task.sleep(for: .seconds(2))
        let refresher = try RevocationListRefresher(
            authority: harness.fixture.authority(renewalOverlapSeconds: 1), checkInterval: .milliseconds(200), logger: RecordingLogHandler.logger(harness.logs))
        let running = Task { try await refresher.run() }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        var record = try await harness.fixture.authority().certificate(serial: due.record.serial)
        while record?.status != .revoked && clock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            record = try await harness.fixture.authority().certificate(serial: due.record.serial)
        }
        running.cancel()
        _ = await Self.waitForCRLs(harness, count: 1)
        try await Task.sleep(for: .milliseconds(300))
        let old = try await harness.curl("ws")
        let new = try await harness.curl("new")
        let events = try await harness.fixture.auditEvents("certificate.revoked")
        await harness.stop()
        #expect(record?.status == .revoked)
        #expect(record?.revocationReason == "superseded")
        #expect(old.status != "200", "the superseded certificate is refused")
        #expect(new.status == "200", "its successor is not: \(new.body)")
        #expect(events.count == 1)
        #expect(events.first?.actor == CertificateAuthority.systemActor)
        #expect(events.first?.payload["reason"] == "superseded")
        #expect(events.first?.payload["serial"] == "serial:\(due.record.serial)")
    }

    @Test func aGOSTWorkstationCannotRenewIntoECDSA() async throws {
        let fixture = try await CAFixture.make()
        defer { Task { await fixture.tearDown() } }
        let now = Int(Date().timeIntervalSince1970)
        let identity = "bilet://venue/50-0001/ws/2"
        let due = try await fixture.enrol(identity, name: "gost-ws", keyType: .gost256, authority: fixture.authority(clock: { now - 70 * 86_400 }))
        let principal = try IdentityURI.parse(identity)
        let refused = await #expect(throws: CertificateAuthorityError.self) {
            try await fixture.authority().renew(
                presentedSerial: due.certificate.serialNumber, principal: principal,
                request: try CertificateRequester.make(identity: principal, keyType: .ecdsaP256).request)
        }
        #expect(refused?.code == .hierarchyMismatch)
        #expect(refused?.httpStatus == 400)
        #expect(try await fixture.auditEvents("certificate.renewed").isEmpty)
    }

    @Test func theCRLCommandSupersedesRenewedCertificatesPastTheOverlapSupersedesRenewedCertificatesPastTheOverlap() async throws {
        let fixture = try await CAFixture.make()
        defer { Task { await fixture.tearDown() } }
        let now = Int(Date().timeIntervalSince1970)
        let due = try await fixture.enrol(Self.identity, name: "ws", authority: fixture.authority(clock: { now - 70 * 86_400 }))
        let principal = try IdentityURI.parse(Self.identity)
        _ = try await fixture.authority().renew(
            presentedSerial: due.certificate.serialNumber, principal: principal, request: try CertificateRequester.make(identity: principal).request)
        let options = [
            "--ca-dir", fixture.authorityDirectory.path, "--issuing-passphrase-file", fixture.issuingPassphraseFile,
            "--database-url", fixture.database.configuration.connectionString, "--actor", "admin:test",
        ]
        let within = try await BiletBinary.run(["certs", "crl", "--refresh"] + options)
        let past = try await BiletBinary.run(["certs", "crl", "--refresh", "--renewal-overlap-seconds", "0"] + options)
        #expect(within.status == 0, "\(within.stderr)")
        #expect(!within.stdout.contains("superseded"), "inside the default 24-hour overlap: \(within.stdout)")
        #expect(past.status == 0, "\(past.stderr)")
        #expect(past.stdout.contains("revoked \(due.record.serial) (\(Self.identity)) as superseded by its renewal"), "\(past.stdout)")
        let record = try await fixture.authority().certificate(serial: due.record.serial)
        #expect(record?.status == .revoked)
        #expect(record?.revocationReason == "superseded")
    }
}
