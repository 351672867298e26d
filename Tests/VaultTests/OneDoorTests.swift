import Audit
import Foundation
import Policy
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// ARCHITECTURE.md invariant 1: personal data leaves the vault only through the one door, which
/// decides the policy, checks the consent and appends the audit record in the same transaction as
/// the read, and returns nothing if any of them fails. Real policy engine, real audit append.
@Suite("The one door")
struct OneDoorTests {
    @Test("every pupil field round-trips through the door for a subject access request, and the read is audited")
    func roundTripEveryField() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(60, purposes: ["parent_request"], healthPurposes: ["parent_request"])
        let request = try await fixture.openAccessRequest(for: family.pupil.token)
        let data = try await fixture.vault.read(
            .subject(family.pupil.token), fields: SubjectKind.pupil.fields, purpose: "parent_request", request: request,
            by: Principals.school())
        let expected = Synthetic.pupilValues(60, birthDate: ConsentFixtures.birthDate(age: 12))
        for field in SubjectKind.pupil.fields {
            #expect(data.fields[field] == .plain(try FieldRules.normalise(expected[field]!, for: field)), "\(field)")
        }
        #expect(data.reference == .subject(family.pupil.token))
        let reads = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read")
        #expect(reads.count == 1)
        #expect(reads[0].decision == "permit")
        #expect(reads[0].purpose == "parent_request")
        #expect(reads[0].actor == "bilet://school/77-1234/ws/1")
        #expect(reads[0].payload.contains("\"consent\": \"\(data.consent.rawValue)\""))
        #expect(reads[0].payload.contains("\"request\": \"\(request.rawValue)\""))
        #expect(reads[0].payload.contains("\"fields_returned\": [\"birth_date\", \"class\", \"disability_status\""))
        await fixture.shutdown()
    }

    @Test("guardian and staff fields round-trip through the door as the policy allows")
    func guardianAndStaff() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(61)
        let now = Date()
        _ = try await fixture.vault.recordConsent(
            ConsentTerms(
                subject: family.guardian, signatory: .subject, purpose: "consent_management", dataFields: SubjectKind.guardian.fields,
                actions: [.collection, .storage, .use], validFrom: now.addingTimeInterval(-60), validUntil: nil,
                withdrawalMethod: .writtenNoticeToSchool, signedOn: now, collection: .paper),
            scan: ConsentFixtures.scan(61), by: Principals.school())
        let guardian = try await fixture.vault.read(
            .subject(family.guardian), fields: [.name, .relation, .phone, .email], purpose: "consent_management", by: Principals.school())
        let values = Synthetic.guardianValues(61)
        for field in [FieldName.name, .relation, .phone, .email] {
            #expect(guardian.fields[field] == .plain(try FieldRules.normalise(values[field]!, for: field)), "\(field)")
        }
        let identity = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.guardian), fields: [.identityDocument], purpose: "consent_management", by: Principals.school())
        }
        #expect(identity?.code == .policyDenied)

        let staff = try await fixture.vault.register(
            .staff(organisation: EntityRef("school", Synthetic.school), region: Synthetic.region, user: "usr_staff61", values: Synthetic.staffValues(61)),
            by: Principals.school(), purpose: "staff_management")
        _ = try await fixture.vault.recordConsent(
            ConsentTerms(
                subject: staff.token, signatory: .subject, purpose: "staff_management", dataFields: SubjectKind.staff.fields,
                actions: [.collection, .storage, .use], validFrom: now.addingTimeInterval(-60), validUntil: nil,
                withdrawalMethod: .personalAccount, signedOn: now, collection: .electronic),
            by: Principals.staffMember("usr_staff61"))
        let read = try await fixture.vault.read(.subject(staff.token), fields: SubjectKind.staff.fields, purpose: "staff_management", by: Principals.school())
        for field in SubjectKind.staff.fields {
            #expect(read.fields[field] == .plain(try FieldRules.normalise(Synthetic.staffValues(61)[field]!, for: field)), "\(field)")
        }
        await fixture.shutdown()
    }

    @Test("a mentor of an event the pupil attends gets the first name and the surname's initial only")
    func masking() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(62, purposes: ["event_attendance"])
        try await fixture.relate("enrolled_in", "pupil", family.pupil.token.rawValue, "event", "ev-77-1")
        try await fixture.relate("run_by", "event", "ev-77-1", "user", "usr_mentor62")
        let data = try await fixture.vault.read(
            .module(family.pupil.moduleTokens[.trials]!), fields: [.firstName, .surname], purpose: "event_attendance",
            by: Principals.mentor("usr_mentor62"))
        #expect(data.fields[.firstName] == .plain(PersonalValue("Тестина\(Synthetic.marker(62))")))
        #expect(data.fields[.surname] == .masked("П.", .initial))
        #expect(data.reference == .module(family.pupil.moduleTokens[.trials]!))
        let stranger = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(
                .subject(family.pupil.token), fields: [.firstName], purpose: "event_attendance", by: Principals.mentor("usr_other"))
        }
        #expect(stranger?.code == .policyDenied)
        await fixture.shutdown()
    }

    @Test("the assessment module gets the birth year only, by its own token")
    func serviceMask() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(63, purposes: ["assessment"])
        let data = try await fixture.vault.read(
            .module(family.pupil.moduleTokens[.assessment]!), fields: [.grade, .birthDate], purpose: "assessment",
            by: Principals.service(.assessment))
        #expect(data.fields[.grade] == .plain("9"))
        #expect(data.fields[.birthDate] == .masked(PersonalValue(String(ConsentFixtures.birthDate(age: 12).prefix(4))), .year))
        let names = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(
                .module(family.pupil.moduleTokens[.assessment]!), fields: [.surname], purpose: "assessment", by: Principals.service(.assessment))
        }
        #expect(names?.code == .policyDenied)
        await fixture.shutdown()
    }

    @Test("fields the consent does not list come back redacted")
    func redaction() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(64, purposes: [])
        _ = try await fixture.vault.recordConsent(
            ConsentFixtures.parental(pupil: family.pupil.token, guardian: family.guardian, fields: [.surname, .firstName, .grade]),
            scan: ConsentFixtures.scan(), by: Principals.school())
        let data = try await fixture.vault.read(
            .subject(family.pupil.token), fields: [.surname, .email, .grade], purpose: "enrolment", by: Principals.school())
        #expect(data.fields[.surname] == .plain(PersonalValue("Примерова\(Synthetic.marker(64))")))
        #expect(data.fields[.grade] == .plain("9"))
        #expect(data.fields[.email] == .redacted)
        let row = try #require(try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read").last)
        #expect(row.payload.contains("\"fields_returned\": [\"grade\", \"surname\"]"))
        await fixture.shutdown()
    }

    enum ConsentCase: String, CaseIterable, Sendable {
        case withdrawn, expired, purposeNotCovered, healthWithoutExplicitConsent, neverGiven
    }

    @Test("reads without a consent covering them are denied, and the denial is audited", arguments: ConsentCase.allCases)
    func consentRefusals(kind: ConsentCase) async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(65, purposes: kind == .neverGiven ? [] : ["enrolment"], now: clock.now)
        var fields: [FieldName] = [.surname]
        var purpose = "enrolment"
        var requester = Principals.school()
        var request: AccessRequestToken?
        let expected: VaultError.Code
        switch kind {
        case .withdrawn:
            let consent = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first)
            try await fixture.vault.withdrawConsent(consent.token, by: Principals.school())
            expected = .consentWithdrawn
        case .expired:
            clock.advance(days: 400)
            expected = .consentExpired
        case .purposeNotCovered:
            purpose = "parent_request"
            request = try await fixture.openAccessRequest(for: family.pupil.token)
            expected = .consentMissing
        case .healthWithoutExplicitConsent:
            purpose = "parent_request"
            request = try await fixture.openAccessRequest(for: family.pupil.token)
            _ = try await fixture.vault.recordConsent(
                ConsentFixtures.parental(pupil: family.pupil.token, guardian: family.guardian, purpose: "parent_request", now: clock.now),
                scan: ConsentFixtures.scan(), by: Principals.school())
            fields = [.surname, .disabilityStatus]
            expected = .healthConsentMissing
        case .neverGiven:
            requester = Principals.school()
            expected = .consentMissing
        }
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: fields, purpose: purpose, request: request, by: requester)
        }
        #expect(error?.code == expected)
        let row = try #require(try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read").last)
        #expect(row.decision == "deny")
        #expect(row.purpose == purpose)
        #expect(row.payload.contains("\"reason\": \"\(expected.rawValue)\""))
        #expect(row.payload.contains("\"fields_returned\": []"))
        await fixture.shutdown()
    }

    @Test("another school's pupil is denied by the policy and the denial is audited")
    func policyDenial() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(66)
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", by: Principals.school(Synthetic.otherSchool))
        }
        #expect(error?.code == .policyDenied)
        let row = try #require(try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read").last)
        #expect(row.decision == "deny")
        #expect(row.payload.contains("vault.policy_denied"))
        await fixture.shutdown()
    }

    @Test("when the audit store is locked, a read is refused within the bound as audit-unavailable and returns nothing")
    func auditFailureFailsClosed() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(67)
        let before = try await fixture.auditRows().count
        try await fixture.database.withPool(maxConnections: 1) { admin in
            try await admin.withTransaction { connection in
                try await connection.execute("LOCK TABLE audit.events IN ACCESS EXCLUSIVE MODE")
                let started = ContinuousClock.now
                var released: SubjectData?
                let error = await #expect(throws: VaultError.self) {
                    released = try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", by: Principals.school())
                }
                let elapsed = ContinuousClock.now - started
                #expect(error?.code == .auditUnavailable)
                #expect(released == nil)
                // The append's own lock bound (500 ms by default) answers first.
                #expect(elapsed < fixture.vault.audit.lockTimeout + .seconds(2))
            }
        }
        #expect(try await fixture.auditRows().count == before)
        await fixture.shutdown()
    }

    @Test(
        "a stalled audit store cannot hang a read: the transaction's statement bound cuts it off",
        arguments: [1, 3])
    func stalledAuditStoreIsBounded(subjects: Int) async throws {
        let fixture = try await VaultFixture.make()
        var references: [SubjectReference] = []
        for seed in 0..<subjects { references.append(.subject(try await fixture.family(160 + seed).pupil.token)) }
        // An audit appender that would wait a minute for the lock: only the vault's bound stops it.
        var settings = fixture.vault.configuration
        settings.transactionTimeout = .seconds(1)
        let patient = Vault(pool: fixture.pool, policies: fixture.policies, audit: AuditLog(lockTimeout: .seconds(60)), configuration: settings)
        try await patient.unseal(with: .passphrase(fixture.passphrase), by: "admin:test")
        let before = try await fixture.auditRows().count
        try await fixture.database.withPool(maxConnections: 1) { admin in
            try await admin.withTransaction { connection in
                try await connection.execute("LOCK TABLE audit.events IN ACCESS EXCLUSIVE MODE")
                let started = ContinuousClock.now
                var released: [SubjectReference: ReadOutcome]?
                let error = await #expect(throws: VaultError.self) {
                    released = try await patient.readBatch(references, fields: [.surname, .grade], purpose: "enrolment", by: Principals.school())
                }
                let elapsed = ContinuousClock.now - started
                #expect(error?.code == .auditUnavailable)
                #expect(released == nil)
                #expect(elapsed >= .milliseconds(900))
                #expect(elapsed < .seconds(1) + .milliseconds(1_500))
            }
        }
        #expect(try await fixture.auditRows().count == before)
        // With the lock gone the same vault reads again.
        let outcomes = try await patient.readBatch(references, fields: [.grade], purpose: "enrolment", by: Principals.school())
        #expect(outcomes.values.compactMap { $0.data?.fields[.grade] } == Array(repeating: .plain("9"), count: subjects))
        await fixture.shutdown()
    }

    @Test("a batch mixes released and refused subjects, one audit record each")
    func batch() async throws {
        let fixture = try await VaultFixture.make()
        let own = try await fixture.family(68)
        let other = try await fixture.family(69, school: Synthetic.otherSchool)
        let erased = try await fixture.family(70)
        try await fixture.vault.erase(erased.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        let unknown = SubjectReference.subject(try SubjectToken(entropy: Array(repeating: 9, count: 16)))
        let outcomes = try await fixture.vault.readBatch(
            [.subject(own.pupil.token), .subject(other.pupil.token), .subject(erased.pupil.token), unknown],
            fields: [.surname, .grade], purpose: "enrolment", by: Principals.school())
        #expect(outcomes[.subject(own.pupil.token)]?.data?.fields[.grade] == .plain("9"))
        #expect(outcomes[.subject(other.pupil.token)]?.refusal?.code == .policyDenied)
        #expect(outcomes[.subject(erased.pupil.token)]?.refusal?.code == .subjectErased)
        #expect(outcomes[unknown]?.refusal?.code == .unknownSubject)
        let reads = try await fixture.auditRows(kind: "pii.read")
        #expect(reads.count == 4)
        #expect(reads.filter { $0.decision == "permit" }.map(\.subject) == [own.pupil.token.rawValue])
        await fixture.shutdown()
    }

    @Test("a tampered ciphertext is an integrity error for that subject alone, and it is audited")
    func tamperThroughTheDoor() async throws {
        let fixture = try await VaultFixture.make()
        let good = try await fixture.family(71)
        let bad = try await fixture.family(72)
        let id = try await fixture.vault.subjectID(of: bad.pupil.token)
        try await fixture.asSuperuser { pool in
            try await pool.execute(
                "UPDATE vault.fields SET ciphertext = set_byte(ciphertext, 20, get_byte(ciphertext, 20) # 1) WHERE subject_id = \(id) AND name = 'grade'")
        }
        let outcomes = try await fixture.vault.readBatch(
            [.subject(good.pupil.token), .subject(bad.pupil.token)], fields: [.grade], purpose: "enrolment", by: Principals.school())
        #expect(outcomes[.subject(good.pupil.token)]?.data?.fields[.grade] == .plain("9"))
        #expect(outcomes[.subject(bad.pupil.token)]?.refusal?.code == .integrityFailure)
        let rows = try await fixture.auditRows(subject: bad.pupil.token.rawValue, kind: "pii.read")
        #expect(rows.map(\.decision) == ["permit", "error"])
        await fixture.shutdown()
    }

    @Test("writes go through the same door: policy, consent, audit")
    func writes() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(73, purposes: ["enrolment", "self_service"])
        let pupil = Principals.pupil(family.pupil.token, user: "usr_pupil73")
        try await fixture.vault.write(family.pupil.token, values: [.email: "new.73@example.invalid"], purpose: "self_service", by: pupil)
        let read = try await fixture.vault.read(.subject(family.pupil.token), fields: [.email], purpose: "self_service", by: pupil)
        #expect(read.fields[.email] == .plain("new.73@example.invalid"))
        let denied = await #expect(throws: VaultError.self) {
            try await fixture.vault.write(family.pupil.token, values: [.surname: "Другая"], purpose: "self_service", by: pupil)
        }
        #expect(denied?.code == .policyDenied)
        let written = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.written")
        #expect(written.map(\.decision) == ["permit", "permit", "deny"])
        await fixture.shutdown()
    }

    @Test("a SNILS written onto another pupil is refused as a duplicate")
    func duplicateByWrite() async throws {
        let fixture = try await VaultFixture.make()
        let first = try await fixture.family(74)
        _ = first
        let second = try await fixture.family(75)
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.write(
                second.pupil.token, values: [.snils: PersonalValue(Synthetic.snils(74))], purpose: "enrolment", by: Principals.school())
        }
        #expect(error?.code == .duplicateSubject)
        await fixture.shutdown()
    }

    @Test("a school finds its pupil by SNILS through the blind index; the search is audited with a keyed hash")
    func findBySnils() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(76, purposes: ["enrolment", "parent_request"])
        let request = try await fixture.openAccessRequest(for: family.pupil.token)
        let found = try await fixture.vault.findPupils(
            snils: PersonalValue(Synthetic.snils(76).filter(\.isNumber)), purpose: "parent_request", request: request, by: Principals.school())
        #expect(found == [family.pupil.token])
        let other = try await fixture.vault.findPupils(snils: PersonalValue(Synthetic.snils(76)), purpose: "parent_request", by: Principals.school(Synthetic.otherSchool))
        #expect(other.isEmpty)
        let searches = try await fixture.auditRows(kind: "pii.searched")
        #expect(searches.map(\.decision) == ["permit", "deny"])
        #expect(searches.allSatisfy { !$0.payload.contains(Synthetic.snils(76).filter(\.isNumber)) && $0.payload.contains("\"value\": \"k1:") })
        await fixture.shutdown()
    }

    @Test("requests with an undeclared purpose or a malformed actor are refused before anything happens")
    func malformedRequests() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(77)
        var requester = Principals.school()
        let purpose = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "marketing", by: requester)
        }
        #expect(purpose?.code == .invalidRequest)
        requester.actor = "Иван Иванов"
        let actor = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [.surname], purpose: "enrolment", by: requester)
        }
        #expect(actor?.code == .invalidRequest)
        let fields = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(family.pupil.token), fields: [], purpose: "enrolment", by: Principals.school())
        }
        #expect(fields?.code == .invalidRequest)
        await fixture.shutdown()
    }
}
