import Foundation
import Testing
import Tokens
@testable import Vault

/// Withdrawal and erasure (152-FZ art. 21): withdrawal stops processing at once; the 30-day
/// deadline is tracked and carried out; erasure crypto-shreds and leaves tokens that answer
/// "erased"; retention ends are acted on unless a legal hold stops them.
@Suite("Withdrawal, erasure and retention")
struct ErasureTests {
    @Test("erasure leaves vault tokens that answer erased, unlinks the pairwise tokens, and writes the register and the audit log")
    func erasure() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(100, purposes: ["enrolment", "assessment"])
        let erased = try await fixture.vault.erase(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        #expect(erased == [family.pupil.token, family.guardian])
        for reference in [SubjectReference.subject(family.pupil.token), .module(family.pupil.moduleTokens[.assessment]!)] {
            let error = await #expect(throws: VaultError.self) {
                try await fixture.vault.read(reference, fields: [.grade], purpose: reference == .subject(family.pupil.token) ? "enrolment" : "assessment",
                                             by: reference == .subject(family.pupil.token) ? Principals.school() : Principals.service(.assessment))
            }
            // The vault token answers erased; the pairwise token was unlinked (0690: erasure
            // reaches every module), so the module's token names nobody any more.
            if reference == .subject(family.pupil.token) {
                #expect(error?.code == .subjectErased)
                #expect(error?.description == "vault.subject_erased: the subject's data was erased")
            } else {
                #expect(error?.code == .unknownSubject)
            }
        }
        let register = try await fixture.vault.destructionRegister()
        #expect(register.map(\.subject) == [family.guardian, family.pupil.token])
        #expect(register.allSatisfy { $0.method == "crypto_shredding" })
        #expect(register.last?.reason == "subject_request")
        #expect(register.first?.reason == "pupil_erased")
        let audit = try await fixture.auditRows(kind: "subject.erased")
        #expect(audit.map(\.subject) == [family.pupil.token.rawValue, family.guardian.rawValue])
        let leftovers = try await fixture.asSuperuser { pool in
            try await pool.query(
                """
                SELECT (SELECT count(*) FROM vault.fields) + (SELECT count(*) FROM vault.blind_indexes)
                     + (SELECT count(*) FROM vault.consent_documents)
                     + (SELECT count(*) FROM vault.subjects WHERE data_key IS NOT NULL)
                """
            ).singleValue(Int.self)
        }
        #expect(leftovers == 0)
        let again = await #expect(throws: VaultError.self) { try await fixture.vault.erase(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator") }
        #expect(again?.code == .subjectErased)
        await fixture.shutdown()
    }

    @Test("a legal hold stops erasure and the retention job; lifting it lets them run")
    func legalHold() async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(101, now: clock.now)
        try await fixture.vault.setRetention(until: clock.now.addingTimeInterval(86_400), for: family.pupil.token, by: "user:usr_operator")
        try await fixture.vault.setLegalHold(true, for: family.pupil.token, by: "user:usr_operator")
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.erase(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator") }
        #expect(error?.code == .legalHold)
        clock.advance(days: 3)
        let held = try await fixture.vault.runRetention()
        #expect(held.heldBack == 1)
        #expect(held.subjectsErased == 0)
        #expect(try await fixture.vault.deadlines().map(\.legalHold) == [true])
        try await fixture.vault.setLegalHold(false, for: family.pupil.token, by: "user:usr_operator")
        let done = try await fixture.vault.runRetention()
        #expect(done.subjectsErased == 2)
        #expect(try await fixture.vault.destructionRegister().last?.reason == "retention_expired")
        #expect(try await fixture.vault.deadlines().isEmpty)
        await fixture.shutdown()
    }

    @Test("withdrawal stops reads at once; 30 days later the retention job crypto-shreds the pupil")
    func withdrawalDeadline() async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(102, now: clock.now)
        let consent = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first)
        let deadline = try #require(try await fixture.vault.withdrawConsent(consent.token, by: Principals.school()))
        #expect(deadline.scope == .subject)
        let stopped = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", by: Principals.school())
        }
        #expect(stopped?.code == .consentWithdrawn)
        #expect(try await fixture.vault.deadlines().map(\.subject) == [family.pupil.token])
        #expect(try await fixture.vault.deadlines(dueBefore: clock.now.addingTimeInterval(29 * 86_400)).isEmpty)

        clock.advance(days: 29)
        #expect(try await fixture.vault.runRetention().subjectsErased == 0)
        clock.advance(days: 2)
        let report = try await fixture.vault.runRetention()
        #expect(report.subjectsErased == 2)
        #expect(try await fixture.vault.deadlines().isEmpty)
        let changes = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "consent.changed")
        #expect(changes.map { $0.payload.contains("\"change\": \"withdrawn\"") } == [false, true])
        await fixture.shutdown()
    }

    @Test("withdrawing the health consent destroys the health field after 30 days and keeps the rest")
    func fieldDeadline() async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(103, purposes: ["parent_request"], healthPurposes: ["parent_request"], now: clock.now)
        let health = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first { $0.healthData })
        try await fixture.vault.withdrawConsent(health.token, by: Principals.school())
        clock.advance(days: 31)
        let report = try await fixture.vault.runRetention()
        #expect(report.fieldDeadlinesDone == 1)
        let request = try await fixture.openAccessRequest(for: family.pupil.token)
        let data = try await fixture.vault.read(
            .subject(family.pupil.token), fields: [.surname], purpose: "parent_request", request: request, by: Principals.school())
        #expect(data.fields[.surname] == .plain(PersonalValue("Примерова\(Synthetic.marker(103))")))
        let stored = try await fixture.vault.decryptDirectly(family.pupil.token, fields: [.disabilityStatus])
        #expect(stored.isEmpty)
        #expect(try await fixture.vault.destructionRegister().first?.categories == ["disability_status"])
        await fixture.shutdown()
    }

    @Test("an expired consent is marked expired by the retention job and audited")
    func expiry() async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(104, purposes: ["enrolment", "assessment"], now: clock.now)
        clock.advance(days: 366)
        let report = try await fixture.vault.runRetention()
        #expect(report.consentsExpired == 2)
        #expect(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).allSatisfy { $0.state == .expired })
        let changes = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "consent.changed")
        #expect(changes.filter { $0.payload.contains("\"change\": \"expired\"") }.count == 2)
        #expect(try await fixture.vault.deadlines().map(\.reason) == ["consent_expired"])
        await fixture.shutdown()
    }

    @Test("a new consent before the deadline keeps only what it does not cover due")
    func newConsentCancels() async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(105, now: clock.now)
        let consent = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first)
        try await fixture.vault.withdrawConsent(consent.token, by: Principals.school())
        _ = try await fixture.vault.recordConsent(
            ConsentFixtures.parental(pupil: family.pupil.token, guardian: family.guardian, now: clock.now), scan: ConsentFixtures.scan(),
            by: Principals.school())
        // The new consent covers everything but the health field, which is still due.
        let remaining = try await fixture.vault.deadlines()
        #expect(remaining.map(\.scope) == [.fields])
        #expect(remaining.map(\.fields) == [[.disabilityStatus]])
        clock.advance(days: 40)
        let report = try await fixture.vault.runRetention()
        #expect(report.subjectsErased == 0)
        #expect(report.fieldDeadlinesDone == 1)
        #expect(try await fixture.vault.read(.subject(family.pupil.token), fields: [.grade], purpose: "enrolment", by: Principals.school()).fields[.grade] == .plain("9"))
        await fixture.shutdown()
    }
}
