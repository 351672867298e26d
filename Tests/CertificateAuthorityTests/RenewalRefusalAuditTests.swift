import CertificateAuthority
import Foundation
import GnuTLS
import Identity
import Logging
import TLSTestSupport
import Testing

/// One `auth.failed` record as the renewal refusal audit writes it.
struct RefusalRecord: Equatable, CustomStringConvertible {
    /// The principal that asked.
    let actor: String
    /// The database role that wrote it (`written_by`).
    let writer: String
    /// Whether subject, decision and purpose are all absent.
    let onlyPayload: Bool
    /// The payload fields.
    let payload: [String: String]

    var description: String { "\(actor) by \(writer) \(payload)" }
}

extension CAFixture {
    /// Every `auth.failed` record, oldest first.
    func refusalRecords() async throws -> [RefusalRecord] {
        let rows = try await self.query(
            """
            SELECT actor, CAST(written_by AS text), subject IS NULL AND decision IS NULL AND purpose IS NULL, payload::text
            FROM audit.events WHERE kind = 'auth.failed' ORDER BY id
            """)
        return try rows.map { row in
            let text = try row.decode(String.self, at: 3)
            let payload = (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]) ?? [:]
            return RefusalRecord(
                actor: try row.decode(String.self, at: 0), writer: try row.decode(String.self, at: 1),
                onlyPayload: try row.decode(Bool.self, at: 2), payload: payload)
        }
    }

    /// The raw payload text of every `auth.failed` record.
    func refusalPayloadTexts() async throws -> [String] {
        try await self.query("SELECT payload::text FROM audit.events WHERE kind = 'auth.failed' ORDER BY id").map {
            try $0.decode(String.self, at: 0)
        }
    }
}

/// Issue 12, finding L8 of the first security review: a refused renewal (an attempt to renew into
/// another identity, a second renewal of one certificate …) is on record in the audit log, written
/// by the CA (`bilet_ca`) with the asking principal as the actor, the presented certificate's
/// serial and the refusal code, and nothing of the signing request.
@Suite(.serialized) struct RenewalRefusalAuditTests {
    static let identity = RenewalTests.identity
    static let other = "bilet://school/77-1234/ws/4"

    /// A workstation certificate of `identity` in the last third of its lifetime.
    static func due(_ fixture: CAFixture, _ identity: String, name: String) async throws -> IssuedCertificate {
        let now = Int(Date().timeIntervalSince1970)
        return try await fixture.enrol(identity, name: name, authority: fixture.authority(clock: { now - 70 * 86_400 }))
    }

    /// A request signed by a fresh key naming `identity` in its SAN.
    static func request(naming identity: String) throws -> CertificateSigningRequest {
        try CertificateSigningRequest.make(
            key: try PrivateKey.generate(algorithm: .ecdsaP256), subject: DistinguishedName(commonName: "x"),
            subjectAlternativeNames: [.uri(identity)])
    }

    @Test func renewingIntoAnotherIdentityIsOnRecordWithoutTheRequest() async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let due = try await Self.due(fixture, Self.identity, name: "ws")
        let principal = try IdentityURI.parse(Self.identity)
        let request = try Self.request(naming: Self.other)
        let refused = await #expect(throws: CertificateAuthorityError.self) {
            try await fixture.authority().renew(
                requestPEM: request.pemRepresentation, presentedSerial: due.certificate.serialNumber, principal: principal)
        }
        #expect(refused?.code == .csrIdentityMismatch)
        #expect(
            try await fixture.refusalRecords() == [
                RefusalRecord(
                    actor: Self.identity, writer: "bilet_ca", onlyPayload: true,
                    payload: ["method": "certificate_renewal", "reason": "csr-identity-mismatch", "certificate": "serial:\(due.record.serial)"])
            ])
        let texts = try await fixture.refusalPayloadTexts()
        let base64 = request.pemRepresentation.split(separator: "\n").filter { !$0.hasPrefix("-----") }
        #expect(texts.count == 1)
        #expect(texts.allSatisfy { text in !text.contains(Self.other) && !text.contains("BEGIN") && !base64.contains { text.contains($0) } })
        #expect(try await fixture.auditEvents("certificate.renewed").isEmpty)

        // a renewal that goes through adds no failure
        _ = try await fixture.authority().renew(
            presentedSerial: due.certificate.serialNumber, principal: principal, request: try Self.request(naming: Self.identity))
        #expect(try await fixture.refusalRecords().count == 1)
        #expect(try await fixture.auditEvents("certificate.renewed").count == 1)
    }

    @Test func presentingAnotherPrincipalsCertificateIsOnRecordUnderTheAskingPrincipal() async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let victim = try await Self.due(fixture, Self.other, name: "victim")
        let asking = try IdentityURI.parse(Self.identity)
        let refused = await #expect(throws: CertificateAuthorityError.self) {
            try await fixture.authority().renew(
                presentedSerial: victim.certificate.serialNumber, principal: asking, request: try Self.request(naming: Self.identity))
        }
        #expect(refused?.code == .csrIdentityMismatch)
        #expect(
            try await fixture.refusalRecords() == [
                RefusalRecord(
                    actor: Self.identity, writer: "bilet_ca", onlyPayload: true,
                    payload: ["method": "certificate_renewal", "reason": "csr-identity-mismatch", "certificate": "serial:\(victim.record.serial)"])
            ])
    }

    @Test func aRefusalThatCannotBeAuditedIsStillARefusalAndIsLoggedWithoutTheRequest() async throws {
        let fixture = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await fixture.tearDown() } }
        let due = try await Self.due(fixture, Self.identity, name: "ws")
        // the database no longer lets the CA write auth.failed (42501 at append)
        _ = try await fixture.query("DELETE FROM audit.writer_kinds WHERE writer = 'bilet_ca' AND kind = 'auth.failed'")
        let logs = RecordingLogHandler.Store()
        let authority = CertificateAuthority(issuers: fixture.issuers, pool: fixture.pool, logger: RecordingLogHandler.logger(logs))
        let refused = await #expect(throws: CertificateAuthorityError.self) {
            try await authority.renew(
                requestPEM: try Self.request(naming: Self.other).pemRepresentation, presentedSerial: due.certificate.serialNumber,
                principal: try IdentityURI.parse(Self.identity))
        }
        #expect(refused?.code == .csrIdentityMismatch, "the refusal stands, not audit-unavailable")
        #expect(try await fixture.refusalRecords().isEmpty)
        let entries = logs.messages(containing: "renewal refusal not audited")
        #expect(entries.count == 1)
        #expect(entries.first?.level == .error)
        #expect(
            entries.first?.metadata == [
                "refusal": "csr-identity-mismatch", "certificate": "serial:\(due.record.serial)", "audit_error": "audit.refused",
            ])
        #expect(logs.all.allSatisfy { !$0.message.contains(Self.other) && !$0.metadata.values.contains { $0.contains(Self.other) } })
    }
}
