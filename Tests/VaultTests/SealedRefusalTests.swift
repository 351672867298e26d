import Foundation
import Policy
import Testing
import Tokens
@testable import Vault

/// A sealed vault refuses every personal-data call, whoever asks.
@Suite("Sealed vault refuses personal-data calls")
struct SealedRefusalTests {
    enum Call: String, CaseIterable, Sendable {
        case read, readBatch, register, write, moduleToken, findPupils, recordConsent, amendConsent, withdrawConsent, consents,
             erase, rotate, runRetention, setLegalHold, setRetention, rewrap, registerAccessRequest, accessRequests, answerAccessRequest
    }

    @Test("every personal-data call of a sealed vault is refused with vault.sealed", arguments: Call.allCases)
    func refused(call: Call) async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(90)
        let consent = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first)
        let request = try await fixture.openAccessRequest(for: family.pupil.token)
        // Reading the consents above is itself audited (pii.read): count from here.
        let before = try await fixture.auditRows(subject: family.pupil.token.rawValue).count
        let vault = fixture.secondVault()
        let school = Principals.school()
        let token = family.pupil.token
        let error = await #expect(throws: VaultError.self) {
            switch call {
            case .read: _ = try await vault.read(.subject(token), fields: [.surname], purpose: "enrolment", by: school)
            case .readBatch: _ = try await vault.readBatch([.subject(token)], fields: [.surname], purpose: "enrolment", by: school)
            case .register:
                _ = try await vault.register(
                    .pupil(school: Synthetic.school, region: Synthetic.region, values: Synthetic.pupilValues(91)), by: school, purpose: "enrolment")
            case .write: try await vault.write(token, values: [.email: "x.91@example.invalid"], purpose: "enrolment", by: school)
            case .moduleToken: _ = try await vault.moduleToken(for: .subject(token), in: .assessment, purpose: "assessment", by: school)
            case .findPupils: _ = try await vault.findPupils(snils: PersonalValue(Synthetic.snils(90)), purpose: "enrolment", by: school)
            case .recordConsent:
                _ = try await vault.recordConsent(
                    ConsentFixtures.parental(pupil: token, guardian: family.guardian), scan: ConsentFixtures.scan(), by: school)
            case .amendConsent:
                _ = try await vault.amendConsent(
                    consent.token, with: ConsentFixtures.parental(pupil: token, guardian: family.guardian), scan: ConsentFixtures.scan(), by: school)
            case .withdrawConsent: try await vault.withdrawConsent(consent.token, by: school)
            case .consents: _ = try await vault.consents(of: token, by: school)
            case .erase: try await vault.erase(token, reason: .subjectRequest, by: "user:usr_operator")
            case .rotate: try await vault.rotate(by: "user:usr_operator")
            case .runRetention: _ = try await vault.runRetention()
            case .setLegalHold: try await vault.setLegalHold(true, for: token, by: "user:usr_operator")
            case .setRetention: try await vault.setRetention(until: Date(), for: token, by: "user:usr_operator")
            case .rewrap: _ = try await vault.rewrapDataKeys(limit: 10)
            case .registerAccessRequest: _ = try await vault.registerAccessRequest(for: token, receivedOn: "2026-12-04", by: school)
            case .accessRequests: _ = try await vault.accessRequests(of: token, by: school)
            case .answerAccessRequest: _ = try await vault.answerAccessRequest(request, by: school)
            }
        }
        #expect(error?.code == .sealed)
        // Nothing was written or read on its behalf.
        #expect(try await fixture.auditRows(subject: token.rawValue).count == before)
        await fixture.shutdown()
    }
}
