import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// A school's assignment of its navigator to its pupil (issue #11, item 5): the fact the
/// navigators' policies read, decided and audited in the vault; until 1 July; ended at once.
@Suite("Navigator assignment")
struct NavigatorAssignmentTests {
    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test(
        "an assignment runs until the next 1 July, 00:00 UTC",
        arguments: [
            ("2025-10-01T10:00:00Z", "2026-07-01T00:00:00Z"), ("2026-06-30T23:59:59Z", "2026-07-01T00:00:00Z"),
            ("2026-07-01T00:00:00Z", "2027-07-01T00:00:00Z"), ("2026-08-20T09:00:00Z", "2027-07-01T00:00:00Z"),
            ("2027-01-15T12:00:00Z", "2027-07-01T00:00:00Z"),
        ])
    func schoolYearEnd(now: String, end: String) {
        #expect(Vault.schoolYearEnd(after: Self.date(now)) == Self.date(end))
    }

    /// Staff accounts as `bilet accounts add` makes them (identifiers only matter here).
    static func addAccount(_ fixture: VaultFixture, _ id: String, role: String, school: String, disabled: Bool = false) async throws {
        try await fixture.asSuperuser { pool in
            try await pool.execute(
                """
                INSERT INTO accounts.accounts (id, login, role, organisation, region, password_hash, disabled)
                VALUES (\(id), \(id.lowercased().replacingOccurrences(of: "_", with: "-")), \(role), \("bilet://school/\(school)"), '77',
                        '$argon2id$v=19$synthetic', \(disabled))
                """)
        }
    }

    @Test("a school assigns its own navigator to its own pupil; the navigator reads the pupil until the assignment ends")
    func assignReadEnd() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(400)
        let navigator = "usr_NAVAAAAAAAAAAAAAAAAAAA"
        try await Self.addAccount(fixture, navigator, role: "navigator", school: Synthetic.school)
        let reader = Principals.navigator(navigator)
        let before = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", by: reader)
        }
        #expect(before?.code == .policyDenied)

        let assignment = try await fixture.vault.assignNavigator(navigator, to: family.pupil.token, by: Principals.school())
        #expect(assignment.navigator == navigator)
        #expect(assignment.validUntil == Vault.schoolYearEnd(after: assignment.validFrom))
        #expect(try await fixture.vault.navigators(of: family.pupil.token, by: Principals.school()).map(\.navigator) == [navigator])
        let card = try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", by: reader)
        #expect(card.fields[.surname] != nil)

        try await fixture.vault.endNavigatorAssignment(navigator, of: family.pupil.token, by: Principals.school())
        let after = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", by: reader)
        }
        #expect(after?.code == .policyDenied)
        let again = await #expect(throws: VaultError.self) {
            try await fixture.vault.endNavigatorAssignment(navigator, of: family.pupil.token, by: Principals.school())
        }
        #expect(again?.code == .unknownAssignment)
        let records = try await fixture.auditRows(kind: "navigator.assignment")
        #expect(records.map { "\($0.decision ?? "-"):\($0.payload.contains(#""operation": "assign""#) ? "assign" : "other")" }.first == "permit:assign")
        #expect(records.count == 4)
        #expect(records.allSatisfy { $0.subject == family.pupil.token.rawValue && $0.purpose == "enrolment" })
        await fixture.shutdown()
    }

    @Test("a school ends the assignment of a navigator whose account was disabled since; it does not come back when re-enabled")
    func endAfterDisable() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(401)
        let navigator = "usr_NAVDDDDDDDDDDDDDDDDDDD"
        try await Self.addAccount(fixture, navigator, role: "navigator", school: Synthetic.school)
        _ = try await fixture.vault.assignNavigator(navigator, to: family.pupil.token, by: Principals.school())
        try await fixture.asSuperuser { pool in _ = try await pool.execute("UPDATE accounts.accounts SET disabled = true WHERE id = \(navigator)") }
        try await fixture.vault.endNavigatorAssignment(navigator, of: family.pupil.token, by: Principals.school())
        try await fixture.asSuperuser { pool in _ = try await pool.execute("UPDATE accounts.accounts SET disabled = false WHERE id = \(navigator)") }
        #expect(try await fixture.vault.navigators(of: family.pupil.token, by: Principals.school()).isEmpty)
        let read = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", by: Principals.navigator(navigator))
        }
        #expect(read?.code == .policyDenied)
        await fixture.shutdown()
    }

    @Test(
        "refused: another school's navigator, a disabled navigator, an account that is not a navigator's, another school's pupil; each audited",
        arguments: ["other-school", "disabled", "not-navigator", "other-pupil"])
    func refusals(kind: String) async throws {
        let fixture = try await VaultFixture.make()
        let own = try await fixture.family(401)
        let theirs = try await fixture.family(402, school: "77-5678")
        let navigator = "usr_NAVBBBBBBBBBBBBBBBBBBB"
        switch kind {
        case "other-school": try await Self.addAccount(fixture, navigator, role: "navigator", school: "77-5678")
        case "disabled": try await Self.addAccount(fixture, navigator, role: "navigator", school: Synthetic.school, disabled: true)
        case "not-navigator": try await Self.addAccount(fixture, navigator, role: "mentor", school: Synthetic.school)
        default: try await Self.addAccount(fixture, navigator, role: "navigator", school: Synthetic.school)
        }
        let pupil = kind == "other-pupil" ? theirs.pupil.token : own.pupil.token
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.assignNavigator(navigator, to: pupil, by: Principals.school())
        }
        let expected: VaultError.Code = kind == "other-school" || kind == "other-pupil" ? .policyDenied : .unknownNavigator
        #expect(error?.code == expected)
        let facts = try await fixture.asSuperuser { pool in
            try await pool.query("SELECT count(*) FROM policy.relationships WHERE kind = 'assigned_navigator'").singleValue(Int.self)
        }
        #expect(facts == 0)
        let records = try await fixture.auditRows(kind: "navigator.assignment")
        #expect(records.map(\.decision) == ["deny"])
        #expect(records.first?.subject == pupil.rawValue)
        await fixture.shutdown()
    }
}
