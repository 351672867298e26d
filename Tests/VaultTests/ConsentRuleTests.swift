import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// Consents as first-class, versioned records (152-FZ art. 9): who signs for whom, health data
/// on its own explicit consent, scans checked and sealed, states and destruction deadlines.
@Suite("Consent records")
struct ConsentRuleTests {
    struct Family {
        let pupil: SubjectToken
        let guardian: SubjectToken
    }

    static func family(_ fixture: VaultFixture, age: Int = 12, seed: Int) async throws -> Family {
        let pupil = try await fixture.vault.createDirectly(
            .pupil(
                school: Synthetic.school, region: Synthetic.region,
                values: Synthetic.pupilValues(seed, birthDate: ConsentFixtures.birthDate(age: age))))
        let guardian = try await fixture.vault.createDirectly(.guardian(of: pupil, values: Synthetic.guardianValues(seed)))
        return Family(pupil: pupil, guardian: guardian)
    }

    @Test("a parent's paper consent for a pupil under 14 is recorded with its scan, digest and terms")
    func parentalConsent() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await Self.family(fixture, seed: 50)
        let record = try await fixture.vault.recordConsentDirectly(
            ConsentFixtures.parental(pupil: family.pupil, guardian: family.guardian), scan: ConsentFixtures.scan(50))
        #expect(record.version == 1)
        #expect(record.givenBy == "parent")
        #expect(record.representative == family.guardian)
        #expect(record.authorityDocument == .birthCertificate)
        #expect(record.operatorIdentifier == "operator:bilet")
        #expect(record.state == .active)
        #expect(record.scanSHA256 == (try GnuTLSDigest.sha256(ConsentFixtures.pdf)))
        let listed = try await fixture.vault.consentsDirectly(family.pupil)
        #expect(listed == [record])
        let stored = try await fixture.asSuperuser { pool in
            try await pool.query("SELECT content, media_type, byte_count FROM vault.consent_documents").map {
                (try $0.decode([UInt8].self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(Int.self, at: 2))
            }
        }
        #expect(stored.count == 1)
        #expect(stored[0].1 == "application/pdf")
        #expect(stored[0].2 == ConsentFixtures.pdf.count)
        #expect(stored[0].0 != ConsentFixtures.pdf)
        #expect(!String(decoding: stored[0].0, as: UTF8.self).contains("%PDF"))
        await fixture.shutdown()
    }

    enum Refusal: String, CaseIterable, Sendable {
        case minorSignsAlone, fourteenWithoutOwnConsent, adultWithRepresentative, healthInOrdinaryConsent,
             ordinaryFieldInHealthConsent, undeclaredPurpose, foreignField, emptyFields, noActions, termReversed,
             paperWithoutScan, electronicWithScan, strangerAsRepresentative, pdfThatIsNot, jpegThatIsNot, tooLarge,
             noOriginalLocation
    }

    @Test("consent terms that break a rule are refused", arguments: Refusal.allCases)
    func refusals(refusal: Refusal) async throws {
        var configuration = VaultConfiguration()
        configuration.maximumDocumentByteCount = 4_096
        let fixture = try await VaultFixture.make(configuration: configuration)
        let age = switch refusal {
        case .fourteenWithoutOwnConsent: 15
        case .adultWithRepresentative: 18
        default: 12
        }
        let family = try await Self.family(fixture, age: age, seed: 51)
        var terms = ConsentFixtures.parental(pupil: family.pupil, guardian: family.guardian)
        var scan: ConsentScan? = ConsentFixtures.scan()
        var expected = VaultError.Code.invalidConsent
        switch refusal {
        case .minorSignsAlone: terms.signatory = .subject
        case .fourteenWithoutOwnConsent: terms.subjectAlsoConsented = false
        case .adultWithRepresentative: break
        case .healthInOrdinaryConsent: terms.dataFields.append(.disabilityStatus)
        case .ordinaryFieldInHealthConsent:
            terms.healthData = true
            terms.dataFields = [.disabilityStatus, .grade]
        case .undeclaredPurpose: terms.purpose = "marketing"
        case .foreignField:
            terms.dataFields = [.position]
            expected = .unknownField
        case .emptyFields: terms.dataFields = []
        case .noActions: terms.actions = []
        case .termReversed: terms.validUntil = terms.validFrom.addingTimeInterval(-1)
        case .paperWithoutScan: scan = nil
        case .electronicWithScan: terms.collection = .electronic
        case .strangerAsRepresentative:
            let other = try await Self.family(fixture, seed: 52)
            terms.signatory = .representative(other.guardian, isParent: true, authority: .birthCertificate)
        case .pdfThatIsNot:
            scan = ConsentScan(mediaType: .pdf, content: ConsentFixtures.jpeg, originalLocation: "архив")
            expected = .documentRejected
        case .jpegThatIsNot:
            scan = ConsentScan(mediaType: .jpeg, content: ConsentFixtures.pdf, originalLocation: "архив")
            expected = .documentRejected
        case .tooLarge:
            scan = ConsentScan(mediaType: .pdf, content: Array("%PDF-".utf8) + Array(repeating: 0x20, count: 5_000) + Array("%%EOF".utf8), originalLocation: "архив")
            expected = .documentRejected
        case .noOriginalLocation:
            scan = ConsentScan(mediaType: .pdf, content: ConsentFixtures.pdf, originalLocation: "  ")
            expected = .documentRejected
        }
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.recordConsentDirectly(terms, scan: scan) }
        #expect(error?.code == expected)
        #expect(try await fixture.vault.consentsDirectly(family.pupil).isEmpty)
        await fixture.shutdown()
    }

    @Test("from 14 the pupil's own consent is recorded along with the parent's")
    func fourteen() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await Self.family(fixture, age: 14, seed: 53)
        let record = try await fixture.vault.recordConsentDirectly(
            ConsentFixtures.parental(pupil: family.pupil, guardian: family.guardian, pupilAlso: true), scan: ConsentFixtures.scan())
        #expect(record.subjectAlsoConsented)
        #expect(record.givenBy == "parent")
        await fixture.shutdown()
    }

    @Test("staff consent electronically, by themselves, without a scan")
    func staffConsent() async throws {
        let fixture = try await VaultFixture.make()
        let staff = try await fixture.vault.createDirectly(
            .staff(organisation: .init("school", Synthetic.school), region: Synthetic.region, user: "usr_staff54", values: Synthetic.staffValues(54)))
        let now = Date()
        let terms = ConsentTerms(
            subject: staff, signatory: .subject, purpose: "staff_management", dataFields: SubjectKind.staff.fields,
            actions: [.collection, .storage, .use], validFrom: now, validUntil: nil, withdrawalMethod: .personalAccount,
            signedOn: now, collection: .electronic)
        let record = try await fixture.vault.recordConsentDirectly(terms)
        #expect(record.givenBy == "self")
        #expect(record.collection == .electronic)
        #expect(record.scanSHA256 == nil)
        var paper = terms
        paper.collection = .paper
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.recordConsentDirectly(paper, scan: ConsentFixtures.scan()) }
        #expect(error?.code == .invalidConsent)
        await fixture.shutdown()
    }

    @Test("withdrawing the only consent schedules the whole subject's destruction in 30 days")
    func withdrawalSchedulesSubject() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await Self.family(fixture, seed: 55)
        let record = try await fixture.vault.recordConsentDirectly(
            ConsentFixtures.parental(pupil: family.pupil, guardian: family.guardian), scan: ConsentFixtures.scan())
        let before = Date()
        let deadline = try #require(try await fixture.vault.endConsentDirectly(record.token))
        #expect(deadline.scope == .subject)
        #expect(deadline.reason == "consent_withdrawn")
        #expect(deadline.subject == family.pupil)
        #expect(abs(deadline.due.timeIntervalSince(before) - 30 * 86_400) < 60)
        #expect(try await fixture.vault.consentsDirectly(family.pupil).map(\.state) == [.withdrawn])
        await fixture.shutdown()
    }

    @Test("withdrawing the health consent schedules only the health field; other consents stay")
    func withdrawalSchedulesFields() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await Self.family(fixture, seed: 56)
        _ = try await fixture.vault.recordConsentDirectly(
            ConsentFixtures.parental(pupil: family.pupil, guardian: family.guardian), scan: ConsentFixtures.scan())
        let health = try await fixture.vault.recordConsentDirectly(
            ConsentFixtures.parental(pupil: family.pupil, guardian: family.guardian, purpose: "recommendation", health: true),
            scan: ConsentFixtures.scan())
        let deadline = try #require(try await fixture.vault.endConsentDirectly(health.token))
        #expect(deadline.scope == .fields)
        #expect(deadline.fields == [.disabilityStatus])
        await fixture.shutdown()
    }

    @Test("an active consent past its term reads as expired")
    func expiry() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await Self.family(fixture, seed: 57)
        var terms = ConsentFixtures.parental(pupil: family.pupil, guardian: family.guardian)
        terms.validFrom = Date().addingTimeInterval(-10 * ConsentFixtures.day)
        terms.validUntil = Date().addingTimeInterval(-ConsentFixtures.day)
        _ = try await fixture.vault.recordConsentDirectly(terms, scan: ConsentFixtures.scan())
        #expect(try await fixture.vault.consentsDirectly(family.pupil).map(\.state) == [.expired])
        await fixture.shutdown()
    }
}
