import Audit
import Foundation
import Policy
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// Invariant 5 for the vault's administrative actions and the batch paths: the exact event, its
/// actor and subject token, in the same transaction as the action, with no plaintext value; and
/// a batch's records written by one statement.
@Suite("Vault audit: admin actions, batch appends, consent scan downloads")
struct AdminAuditTests {
    /// The payload of a record as a dictionary.
    static func payload(_ row: AuditRow) throws -> [String: AnyHashable] {
        let object = try JSONSerialization.jsonObject(with: Data(row.payload.utf8)) as? [String: Any] ?? [:]
        return object.compactMapValues { value -> AnyHashable? in
            if let list = value as? [String] { return list }
            if let text = value as? String { return text }
            if let number = value as? Int { return number }
            return nil
        }
    }

    /// How many statements wrote the records of `kind` (rows inserted by one statement share the
    /// transaction and the command id).
    static func statements(_ fixture: VaultFixture, kind: String) async throws -> Int {
        try await fixture.asSuperuser { pool in
            try await pool.query(
                "SELECT count(DISTINCT (CAST(xmin AS text), CAST(cmin AS text))) FROM audit.events WHERE kind = \(kind)"
            ).singleValue(Int.self)
        }
    }

    static func digest(_ fixture: VaultFixture) -> String { fixture.policies.current.version.digest }

    @Test("a batch read appends every pii.read record with one statement, in the same order and content, with the policy version")
    func batchReadOneStatement() async throws {
        let fixture = try await VaultFixture.make()
        let own = try await fixture.family(80)
        let second = try await fixture.family(81)
        let other = try await fixture.family(82, school: Synthetic.otherSchool)
        let unknown = SubjectReference.subject(try SubjectToken(entropy: Array(repeating: 7, count: 16)))
        let outcomes = try await fixture.vault.readBatch(
            [.subject(own.pupil.token), .subject(second.pupil.token), .subject(other.pupil.token), unknown],
            fields: [.surname, .grade], purpose: "enrolment", by: Principals.school())
        #expect(outcomes.count == 4)
        let reads = try await fixture.auditRows(kind: "pii.read")
        #expect(reads.count == 4)
        #expect(try await Self.statements(fixture, kind: "pii.read") == 1)
        #expect(Set(reads.map(\.actor)) == ["bilet://school/\(Synthetic.school)/ws/1"])
        #expect(Set(reads.compactMap(\.subject)) == Set([own.pupil.token, second.pupil.token, other.pupil.token].map(\.rawValue) + [unknown.text]))
        // Refusals before the policy (unknown subject) come first, then the judged ones.
        #expect(reads.first?.subject == unknown.text)
        for row in reads {
            let payload = try Self.payload(row)
            #expect(payload["policy_version"] == AnyHashable(Self.digest(fixture)))
            #expect(!row.payload.contains("Примерова") && !row.payload.contains("Синт"))
        }
        let permitted = try #require(reads.first { $0.subject == own.pupil.token.rawValue })
        #expect(permitted.decision == "permit")
        #expect(try Self.payload(permitted)["fields_returned"] == AnyHashable(["grade", "surname"]))
        let denied = try #require(reads.first { $0.subject == other.pupil.token.rawValue })
        #expect(denied.decision == "deny")
        #expect(try Self.payload(denied)["reason"] == AnyHashable("vault.policy_denied"))
        await fixture.shutdown()
    }

    @Test("a single read records the policy version too")
    func singleReadPolicyVersion() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(83)
        _ = try await fixture.vault.read(.subject(family.pupil.token), fields: [.grade], purpose: "enrolment", by: Principals.school())
        let row = try #require(try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read").first)
        #expect(try Self.payload(row)["policy_version"] == AnyHashable(Self.digest(fixture)))
        await fixture.shutdown()
    }

    @Test("erasing a pupil records the pupil and the guardian with one statement")
    func erasureOneStatement() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(84)
        let erased = try await fixture.vault.erase(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        #expect(erased == [family.pupil.token, family.guardian])
        let rows = try await fixture.auditRows(kind: "subject.erased")
        #expect(rows.map(\.subject) == [family.pupil.token.rawValue, family.guardian.rawValue])
        #expect(try rows.map { try Self.payload($0)["reason"] } == [AnyHashable("subject_request"), AnyHashable("pupil_erased")])
        #expect(try await Self.statements(fixture, kind: "subject.erased") == 1)
        await fixture.shutdown()
    }

    @Test("initialise, unseal and seal are recorded with the control socket's actor")
    func sealLifecycle() async throws {
        let fixture = try await VaultFixture.make(initialise: false)
        let server = VaultControlServer(vault: fixture.vault, socketPath: "/nonexistent/unused.sock", actor: "admin:control-socket")
        let passphrase = String(decoding: fixture.passphrase.bytes, as: UTF8.self)
        #expect(await server.handle(.init(operation: .initialise, passphrase: passphrase)).ok)
        #expect(await server.handle(.init(operation: .seal)).ok)
        #expect(await server.handle(.init(operation: .seal)).ok)
        #expect(await !server.handle(.init(operation: .unseal, passphrase: "wrong")).ok)
        #expect(await server.handle(.init(operation: .unseal, passphrase: passphrase)).ok)
        let rows = try await fixture.auditRows().filter { $0.kind.hasPrefix("vault.") }
        #expect(rows.map(\.kind) == ["vault.initialised", "vault.sealed", "vault.sealed", "vault.unsealed"])
        #expect(Set(rows.map(\.actor)) == ["admin:control-socket"])
        #expect(rows.allSatisfy { $0.subject == nil && $0.decision == nil && $0.purpose == nil })
        #expect(try Self.payload(rows[0]) == ["method": AnyHashable("passphrase"), "kek_version": AnyHashable(1)])
        #expect(try Self.payload(rows[1]) == ["previous_state": AnyHashable("unsealed")])
        #expect(try Self.payload(rows[2]) == ["previous_state": AnyHashable("sealed")])
        #expect(try Self.payload(rows[3]) == ["method": AnyHashable("passphrase"), "kek_count": AnyHashable(1)])
        #expect(rows.allSatisfy { !$0.payload.contains(passphrase) })
        await fixture.shutdown()
    }

    @Test("without its audit record an unseal does not happen, and a seal happens but is reported")
    func sealFailClosed() async throws {
        let fixture = try await VaultFixture.make()
        let restarted = fixture.secondVault()
        try await fixture.asSuperuser { pool in
            try await pool.withTransaction { locker in
                try await locker.execute("LOCK TABLE audit.events IN ACCESS EXCLUSIVE MODE")
                let unseal = await #expect(throws: VaultError.self) {
                    try await restarted.unseal(with: .passphrase(fixture.passphrase), by: "admin:test")
                }
                #expect(unseal?.code == .auditUnavailable)
                #expect(!restarted.isUnsealed)
                let seal = await #expect(throws: VaultError.self) { try await fixture.vault.seal(by: "admin:test") }
                #expect(seal?.code == .auditUnavailable)
                #expect(!fixture.vault.isUnsealed)
            }
        }
        #expect(try await fixture.auditRows().filter { $0.kind == "vault.unsealed" || $0.kind == "vault.sealed" }.isEmpty)
        await fixture.shutdown()
    }

    @Test("legal hold set and cleared, retention end set and cleared: recorded with the subject token, never the date")
    func holdAndRetention() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(85)
        let token = family.pupil.token
        let until = Date(timeIntervalSince1970: 1_900_000_000)
        try await fixture.vault.setLegalHold(true, for: token, by: "user:usr_operator")
        try await fixture.vault.setLegalHold(false, for: token, by: "user:usr_operator")
        try await fixture.vault.setRetention(until: until, for: token, by: "user:usr_operator")
        try await fixture.vault.setRetention(until: nil, for: token, by: "user:usr_operator")
        let rows = try await fixture.auditRows(subject: token.rawValue).filter { $0.kind == "legal_hold.changed" || $0.kind == "retention.changed" }
        #expect(rows.map(\.kind) == ["legal_hold.changed", "legal_hold.changed", "retention.changed", "retention.changed"])
        #expect(try rows.map { try Self.payload($0) } == [
            ["change": "set"], ["change": "cleared"], ["change": "set"], ["change": "cleared"],
        ])
        #expect(Set(rows.map(\.actor)) == ["user:usr_operator"])
        #expect(rows.allSatisfy { !$0.payload.contains("2030") })
        // An unknown subject changes nothing and records nothing; a bad actor is refused.
        let unknown = try SubjectToken(entropy: Array(repeating: 5, count: 16))
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.setLegalHold(true, for: unknown, by: "user:usr_operator") }
        #expect(error?.code == .unknownSubject)
        let badActor = await #expect(throws: VaultError.self) { try await fixture.vault.setLegalHold(true, for: token, by: "Оператор Иванов") }
        #expect(badActor?.code == .invalidRequest)
        #expect(try await fixture.auditRows(kind: "legal_hold.changed").count == 2)
        await fixture.shutdown()
    }

    /// A vault with a family whose parental consent has a scan: the consent's token and the
    /// scan's recorded SHA-256.
    static func scanFixture(_ seed: Int) async throws -> (VaultFixture, Family, ConsentToken, [UInt8]) {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(seed)
        let records = try await fixture.vault.consents(of: family.pupil.token, by: Principals.school())
        let record = try #require(records.first)
        return (fixture, family, record.token, try #require(record.scanSHA256))
    }

    @Test("the school downloads a consent scan through the one door: policy, audit, decrypt, SHA-256 checked")
    func scanDownload() async throws {
        let (fixture, family, consent, sha256) = try await Self.scanFixture(86)
        let download = try await fixture.vault.consentScan(of: consent, by: Principals.school())
        #expect(download.content == ConsentFixtures.pdf)
        #expect(download.mediaType == .pdf)
        #expect(download.sha256 == sha256)
        #expect(download.subject == family.pupil.token)
        let rows = try await fixture.auditRows(kind: "consent.scan_downloaded")
        #expect(rows.count == 1)
        let row = try #require(rows.first)
        #expect(row.actor == "bilet://school/\(Synthetic.school)/ws/1")
        #expect(row.subject == family.pupil.token.rawValue)
        #expect(row.decision == "permit")
        #expect(row.purpose == "consent_management")
        #expect(try Self.payload(row) == [
            "consent": AnyHashable(consent.rawValue), "format": AnyHashable("pdf"), "policy_version": AnyHashable(Self.digest(fixture)),
        ])
        #expect(!row.payload.contains("Синт") && !row.payload.contains("PDF"))
        await fixture.shutdown()
    }

    @Test("another school is refused by the policy (policy.decided deny) and gets nothing")
    func scanDownloadDenied() async throws {
        let (fixture, family, consent, _) = try await Self.scanFixture(87)
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.consentScan(of: consent, by: Principals.school(Synthetic.otherSchool))
        }
        #expect(error?.code == .policyDenied)
        let denials = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "policy.decided")
        #expect(denials.map(\.decision) == ["deny"])
        #expect(try Self.payload(try #require(denials.first))["fields_requested"] == AnyHashable(["document"]))
        #expect(try await fixture.auditRows(kind: "consent.scan_downloaded").isEmpty)
        await fixture.shutdown()
    }

    @Test("a scan that does not match its SHA-256 is not returned, and the error is recorded after the permit")
    func scanDownloadTampered() async throws {
        let (fixture, _, consent, _) = try await Self.scanFixture(88)
        try await fixture.asSuperuser { pool in
            try await pool.execute("UPDATE vault.consent_documents SET sha256 = sha256(CAST('other' AS bytea))")
        }
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.consentScan(of: consent, by: Principals.school()) }
        #expect(error?.code == .integrityFailure)
        let rows = try await fixture.auditRows(kind: "consent.scan_downloaded")
        #expect(rows.map(\.decision) == ["permit", "error"])
        #expect(try Self.payload(rows[1])["reason"] == AnyHashable("vault.integrity_failure"))
        await fixture.shutdown()
    }

    @Test("an unknown consent is refused without a record; the audit store failing returns nothing")
    func scanDownloadRefusals() async throws {
        let (fixture, _, consent, _) = try await Self.scanFixture(89)
        let unknown = try ConsentToken(entropy: Array(repeating: 3, count: 16))
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.consentScan(of: unknown, by: Principals.school()) }
        #expect(error?.code == .unknownConsent)
        try await fixture.asSuperuser { pool in
            try await pool.withTransaction { locker in
                try await locker.execute("LOCK TABLE audit.events IN ACCESS EXCLUSIVE MODE")
                let failed = await #expect(throws: VaultError.self) { try await fixture.vault.consentScan(of: consent, by: Principals.school()) }
                #expect(failed?.code == .auditUnavailable)
            }
        }
        #expect(try await fixture.auditRows(kind: "consent.scan_downloaded").isEmpty)
        await fixture.shutdown()
    }
}
