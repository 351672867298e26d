import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// Consent versions (152-FZ art. 9): an amendment records version 2 of the same consent and
/// supersedes version 1 exactly; only the active version can be withdrawn or amended.
@Suite("Consent versions")
struct ConsentVersionTests {
    static let amendedFields: [FieldName] = [.surname, .firstName, .grade]

    /// The rows of the consent series of `token` (as the superuser): version, token, state, oldest first.
    static func series(_ fixture: VaultFixture, of token: ConsentToken) async throws -> [(Int, String, String)] {
        try await fixture.asSuperuser { pool in
            try await pool.query(
                """
                SELECT version, token, state FROM vault.consents
                WHERE series = (SELECT series FROM vault.consents WHERE token = \(token.rawValue)) ORDER BY version
                """
            ).map { (try $0.decode(Int.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2)) }
        }
    }

    @Test("amending creates version 2, supersedes version 1 exactly, and the door relies on version 2 from then on")
    func amendmentSupersedes() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(170)
        let first = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first)
        #expect(first.version == 1)
        #expect(first.state == .active)
        let amended = try await fixture.vault.amendConsent(
            first.token,
            with: ConsentFixtures.parental(pupil: family.pupil.token, guardian: family.guardian, fields: Self.amendedFields),
            scan: ConsentFixtures.scan(170), by: Principals.school())
        #expect(amended.version == 2)
        #expect(amended.state == .active)
        #expect(amended.token != first.token)
        #expect(amended.dataFields == Self.amendedFields)
        #expect(amended.purpose == "enrolment")

        let rows = try await Self.series(fixture, of: amended.token)
        #expect(rows.map(\.0) == [1, 2])
        #expect(rows.map(\.1) == [first.token.rawValue, amended.token.rawValue])
        #expect(rows.map(\.2) == ["superseded", "active"])
        let listed = try await fixture.vault.consents(of: family.pupil.token, by: Principals.school())
        #expect(listed.map(\.version) == [2, 1])
        #expect(listed.map(\.state) == [.active, .superseded])

        let change = try #require(try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "consent.changed").last)
        #expect(try AdminAuditTests.payload(change) == [
            "consent": AnyHashable(amended.token.rawValue), "change": AnyHashable("amended"), "purposes": AnyHashable(["enrolment"]),
            "given_by": AnyHashable("parent"),
        ])

        // The door now relies on version 2: what it no longer lists is redacted.
        let data = try await fixture.vault.read(
            .subject(family.pupil.token), fields: [.grade, .patronymic], purpose: "enrolment", by: Principals.school())
        #expect(data.consent == amended.token)
        #expect(data.fields[.grade] == .plain("9"))
        #expect(data.fields[.patronymic] == .redacted)
        await fixture.shutdown()
    }

    enum Stale: String, CaseIterable {
        case amendSuperseded, withdrawSuperseded, amendWithdrawn, withdrawWithdrawn, amendExpired, withdrawExpired
    }

    @Test("withdrawing or amending a consent that is no longer active is refused, writes nothing", arguments: Stale.allCases)
    func staleConsentRefused(_ stale: Stale) async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(171, now: clock.now)
        let first = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first)
        let terms = ConsentFixtures.parental(pupil: family.pupil.token, guardian: family.guardian, fields: Self.amendedFields, now: clock.now)
        let expectedStates: [String]
        switch stale {
        case .amendSuperseded, .withdrawSuperseded:
            _ = try await fixture.vault.amendConsent(first.token, with: terms, scan: ConsentFixtures.scan(171), by: Principals.school())
            expectedStates = ["superseded", "active"]
        case .amendWithdrawn, .withdrawWithdrawn:
            try await fixture.vault.withdrawConsent(first.token, by: Principals.school())
            expectedStates = ["withdrawn"]
        case .amendExpired, .withdrawExpired:
            clock.advance(days: 366)
            #expect(try await fixture.vault.runRetention().consentsExpired == 1)
            expectedStates = ["expired"]
        }
        let changesBefore = try await fixture.auditRows(kind: "consent.changed").count
        let error = await #expect(throws: VaultError.self) {
            switch stale {
            case .amendSuperseded, .amendWithdrawn, .amendExpired:
                _ = try await fixture.vault.amendConsent(first.token, with: terms, scan: ConsentFixtures.scan(171), by: Principals.school())
            case .withdrawSuperseded, .withdrawWithdrawn, .withdrawExpired:
                try await fixture.vault.withdrawConsent(first.token, by: Principals.school())
            }
        }
        #expect(error?.code == .consentNotActive)
        #expect(try await Self.series(fixture, of: first.token).map(\.2) == expectedStates)
        #expect(try await fixture.auditRows(kind: "consent.changed").count == changesBefore)
        await fixture.shutdown()
    }

    @Test("an amendment keeps the subject and the purpose")
    func amendmentKeepsPurpose() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(172)
        let first = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first)
        let error = await #expect(throws: VaultError.self) {
            _ = try await fixture.vault.amendConsent(
                first.token, with: ConsentFixtures.parental(pupil: family.pupil.token, guardian: family.guardian, purpose: "assessment"),
                scan: ConsentFixtures.scan(172), by: Principals.school())
        }
        #expect(error?.code == .invalidConsent)
        #expect(try await Self.series(fixture, of: first.token).map(\.2) == ["active"])
        await fixture.shutdown()
    }
}
