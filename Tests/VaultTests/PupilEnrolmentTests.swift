import Foundation
import Policy
import Testing
import Tokens
import VaultDoor
@testable import Vault

/// A school registers a pupil with the guardian and the paper consent in one transaction, reads
/// and finds its own pupils; duplicates at another school are registered, flagged and sent to the
/// region's coordinator, never revealed to the registering school (security review M6).
@Suite("Pupil enrolment, search and the duplicate register")
struct PupilEnrolmentTests {
    static func enrolment(_ seed: Int, pupil values: [FieldName: PersonalValue]? = nil) -> PupilEnrolment {
        var pupil = values ?? Synthetic.pupilValues(seed)
        pupil[.disabilityStatus] = nil
        return PupilEnrolment(
            pupil: pupil, guardian: [.name: PersonalValue("Примерова Мать \(Synthetic.marker(seed))"), .relation: "mother"],
            guardianIsParent: true, consentNumber: "N-\(seed)", consentSignedOn: "2025-09-01", pupilAlsoSigned: true)
    }

    static func coordinator(_ region: String = Synthetic.region) -> Requester {
        Requester(
            principal: Principal(role: "regional_coordinator", user: EntityRef("user", "usr_coord_\(region)"), region: EntityRef("region", region)),
            actor: "user:usr_coord_\(region)")
    }

    func subjectCount(_ fixture: VaultFixture) async throws -> Int {
        try await fixture.asSuperuser { pool in try await pool.query("SELECT count(*) FROM vault.subjects").singleValue(Int.self) }
    }

    @Test("registration records pupil, guardian and consent at once; the card reads back and the pupil is found by name and by SNILS")
    func enrolReadFind() async throws {
        let fixture = try await VaultFixture.make()
        let school = Principals.school()
        let enrolled = try await fixture.vault.enrol(Self.enrolment(600), school: Synthetic.school, region: Synthetic.region, by: school)
        let card = try await fixture.vault.read(.subject(enrolled.pupil.token), fields: [.surname, .grade], purpose: "enrolment", by: school)
        #expect(card.fields[.surname] == .plain(Synthetic.pupilValues(600)[.surname]!))
        #expect(card.consent == enrolled.consent)
        let byName = try await fixture.vault.findPupils(
            surname: PersonalValue(Synthetic.pupilValues(600)[.surname]!.exposedText.uppercased()),
            firstName: Synthetic.pupilValues(600)[.firstName]!, birthDate: "2011-03-14", purpose: "enrolment", by: school)
        #expect(byName == [enrolled.pupil.token])
        let bySnils = try await fixture.vault.findPupils(snils: PersonalValue(Synthetic.snils(600)), purpose: "enrolment", by: school)
        #expect(bySnils == [enrolled.pupil.token])
        // Another school finds nothing, and its search is recorded as refused for that pupil.
        let other = try await fixture.vault.findPupils(
            snils: PersonalValue(Synthetic.snils(600)), purpose: "enrolment", by: Principals.school(Synthetic.otherSchool))
        #expect(other.isEmpty)
        // A form that also covers the pupil's own account: one consent per purpose, the pupil reads their card.
        var withAccount = Self.enrolment(610)
        withAccount.purposes = ["enrolment", "self_service"]
        let both = try await fixture.vault.enrol(withAccount, school: Synthetic.school, region: Synthetic.region, by: school)
        #expect(Set(both.consents.keys) == ["enrolment", "self_service"])
        let own = try await fixture.vault.read(
            .subject(both.pupil.token), fields: [.grade], purpose: "self_service", by: Principals.pupil(both.pupil.token, user: "usr_pupil_610"))
        #expect(own.fields[.grade] == .plain("9"))
        var badPurposes = Self.enrolment(611)
        badPurposes.purposes = ["self_service"]
        let bad = await #expect(throws: VaultError.self) {
            try await fixture.vault.enrol(badPurposes, school: Synthetic.school, region: Synthetic.region, by: school)
        }
        #expect(bad?.code == .invalidConsent)
        let reads = try await fixture.auditRows(subject: enrolled.pupil.token.rawValue, kind: "pii.read")
        #expect(reads.map(\.decision) == ["permit", "permit", "permit", "deny"])
        let searches = try await fixture.auditRows(kind: "pii.searched")
        #expect(searches.map(\.decision) == ["permit", "permit", "deny"])
        #expect(searches.allSatisfy { !$0.payload.contains(Synthetic.snils(600)) })
        await fixture.shutdown()
    }

    @Test("the same school registering its pupil again is refused as a duplicate, and the probe is audited")
    func sameSchoolDuplicate() async throws {
        let fixture = try await VaultFixture.make()
        let school = Principals.school()
        _ = try await fixture.vault.enrol(Self.enrolment(601), school: Synthetic.school, region: Synthetic.region, by: school)
        let before = try await subjectCount(fixture)
        var again = Synthetic.pupilValues(602)
        again[.snils] = Synthetic.pupilValues(601)[.snils]
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.enrol(Self.enrolment(602, pupil: again), school: Synthetic.school, region: Synthetic.region, by: school)
        }
        #expect(error?.code == .duplicateSubject)
        #expect(try await subjectCount(fixture) == before)
        let probes = try await fixture.auditRows(kind: "pupil.duplicate_probed")
        #expect(probes.map(\.decision) == ["deny"])
        #expect(probes.first?.payload.contains("same_school") == true)
        let written = try await fixture.auditRows(kind: "pii.written")
        #expect(written.last?.decision == "deny")
        await fixture.shutdown()
    }

    @Test("another school's duplicate is registered like any pupil, flagged for the coordinator, who resolves it")
    func otherSchoolDuplicate() async throws {
        let fixture = try await VaultFixture.make()
        let first = try await fixture.vault.enrol(
            Self.enrolment(603), school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        // Same SNILS (a mistyped or a moved child) at another school: answered like a success.
        let second = try await fixture.vault.enrol(
            Self.enrolment(603), school: Synthetic.otherSchool, region: Synthetic.region, by: Principals.school(Synthetic.otherSchool))
        #expect(second.pupil.token != first.pupil.token)
        // The second school reads and finds its own record, never the first.
        let found = try await fixture.vault.findPupils(
            snils: PersonalValue(Synthetic.snils(603)), purpose: "enrolment", by: Principals.school(Synthetic.otherSchool))
        #expect(found == [second.pupil.token])
        let probes = try await fixture.auditRows(kind: "pupil.duplicate_probed")
        #expect(probes.map(\.decision) == ["permit"])
        #expect(probes.first?.subject == second.pupil.token.rawValue)

        // The coordinator of the region sees the case: schools and reference, no names.
        let cases = try await fixture.vault.duplicateCases(by: Self.coordinator())
        #expect(cases.count == 1)
        #expect(cases.first?.schools == [Synthetic.otherSchool, Synthetic.school])
        #expect(cases.first?.matchedOn == "snils")
        let reference = try #require(cases.first?.reference)
        // Another region's coordinator and a school see nothing and cannot resolve it.
        #expect(try await fixture.vault.duplicateCases(by: Self.coordinator("50")).isEmpty)
        let schoolList = await #expect(throws: VaultError.self) { try await fixture.vault.duplicateCases(by: Principals.school()) }
        #expect(schoolList?.code == .policyDenied)
        let foreign = await #expect(throws: VaultError.self) {
            try await fixture.vault.resolveDuplicateCase(reference, as: .same, by: Self.coordinator("50"))
        }
        #expect(foreign?.code == .unknownCase)
        try await fixture.vault.resolveDuplicateCase(reference, as: .different, by: Self.coordinator())
        let twice = await #expect(throws: VaultError.self) {
            try await fixture.vault.resolveDuplicateCase(reference, as: .same, by: Self.coordinator())
        }
        #expect(twice?.code == .caseResolved)
        #expect(try await fixture.vault.duplicateCases(by: Self.coordinator()).isEmpty)
        let handled = try await fixture.auditRows(kind: "duplicate.handled")
        #expect(handled.map(\.decision) == ["permit", "permit", "deny", "deny", "permit", "deny", "permit"])
        await fixture.shutdown()
    }

    @Test("a namesake at another school (same surname, first name and birth date) opens a name case")
    func namesakeCase() async throws {
        let fixture = try await VaultFixture.make()
        _ = try await fixture.vault.enrol(Self.enrolment(604), school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        var namesake = Synthetic.pupilValues(605)
        namesake[.surname] = Synthetic.pupilValues(604)[.surname]
        namesake[.firstName] = Synthetic.pupilValues(604)[.firstName]
        _ = try await fixture.vault.enrol(
            Self.enrolment(605, pupil: namesake), school: Synthetic.otherSchool, region: Synthetic.region,
            by: Principals.school(Synthetic.otherSchool))
        let cases = try await fixture.vault.duplicateCases(by: Self.coordinator())
        #expect(cases.map(\.matchedOn) == ["name_birth_date"])
        await fixture.shutdown()
    }

    @Test("a correction writing another school's pupil's SNILS is kept and flagged, not refused; the same school's is refused")
    func duplicateByCorrection() async throws {
        let fixture = try await VaultFixture.make()
        let first = try await fixture.vault.enrol(Self.enrolment(607), school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        let sibling = try await fixture.vault.enrol(Self.enrolment(608), school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        let other = try await fixture.vault.enrol(
            Self.enrolment(609), school: Synthetic.otherSchool, region: Synthetic.region, by: Principals.school(Synthetic.otherSchool))
        try await fixture.vault.write(
            other.pupil.token, values: [.snils: PersonalValue(Synthetic.snils(607))], purpose: "enrolment",
            by: Principals.school(Synthetic.otherSchool))
        #expect(try await fixture.vault.duplicateCases(by: Self.coordinator()).map(\.schools) == [[Synthetic.otherSchool, Synthetic.school]])
        // Another field changed later keeps the flagged SNILS index.
        try await fixture.vault.write(
            other.pupil.token, values: [.grade: "10"], purpose: "enrolment", by: Principals.school(Synthetic.otherSchool))
        let same = await #expect(throws: VaultError.self) {
            try await fixture.vault.write(
                sibling.pupil.token, values: [.snils: PersonalValue(Synthetic.snils(607))], purpose: "enrolment", by: Principals.school())
        }
        #expect(same?.code == .duplicateSubject)
        #expect(first.pupil.token != other.pupil.token)
        await fixture.shutdown()
    }

    @Test("a navigator cannot register pupils: refused before anything is written, and audited")
    func navigatorRefused() async throws {
        let fixture = try await VaultFixture.make()
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.enrol(
                Self.enrolment(606), school: Synthetic.school, region: Synthetic.region, by: Principals.navigator("usr_nav_606"))
        }
        #expect(error?.code == .policyDenied)
        #expect(try await subjectCount(fixture) == 0)
        let denials = try await fixture.auditRows(kind: "policy.decided")
        #expect(denials.map(\.decision) == ["deny"])
        await fixture.shutdown()
    }

    @Test("a requester is built from a verified door caller with the attributes the schema declares for its role")
    func requesterFromCaller() throws {
        let schema = try VaultFixture.policyStore().current.schema
        let caller = DoorCaller(
            role: "school", account: "usr_a", session: "ses_a", organisationKind: "school", organisationID: "77-1234", region: "77")
        let requester = try Requester(caller: caller, schema: schema)
        #expect(requester.actor == "user:usr_a")
        #expect(requester.principal.attributes["organisation"] == .entity(EntityRef("school", "77-1234")))
        #expect(requester.principal.attributes["region"] == .entity(EntityRef("region", "77")))
        #expect(requester.principal.attributes["user"] == .entity(EntityRef("user", "usr_a")))
        for bad in [
            DoorCaller(role: "superuser", account: "usr_a", session: "ses_a"),
            DoorCaller(role: "service", account: "usr_a", session: "ses_a"),
            DoorCaller(role: "school", account: "usr_a", session: "ses_a", organisationKind: "venue", organisationID: "77-1", region: "77"),
            DoorCaller(role: "school", account: "usr_a", session: "ses_a", organisationKind: "school", organisationID: "77-1"),
        ] {
            #expect(throws: VaultError.self) { try Requester(caller: bad, schema: schema) }
        }
    }
}
