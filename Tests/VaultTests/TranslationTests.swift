import Foundation
import Policy
import Testing
import Tokens
@testable import Vault

/// Pairwise tokens: each module sees a different token for the same pupil, and the vault
/// translates between them only where the policy (and the consent) allow.
@Suite("Pairwise token translation")
struct TranslationTests {
    @Test("an assigned navigator gets the pupil's recommendations token; an unassigned one does not")
    func navigator() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(80, purposes: ["enrolment", "recommendation"])
        try await fixture.relate("assigned_navigator", "pupil", family.pupil.token.rawValue, "user", "usr_nav80")
        let token = try await fixture.vault.moduleToken(
            for: .subject(family.pupil.token), in: .recommendations, purpose: "recommendation", by: Principals.navigator("usr_nav80"))
        #expect(token == family.pupil.moduleTokens[.recommendations])
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(
                for: .subject(family.pupil.token), in: .recommendations, purpose: "recommendation", by: Principals.navigator("usr_nav_other"))
        }
        #expect(error?.code == .policyDenied)
        let rows = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "token.resolved")
        #expect(rows.map(\.decision) == ["permit", "deny"])
        #expect(rows[0].payload.contains("recommendations_token"))
        #expect(!rows[0].payload.contains(token.rawValue))
        await fixture.shutdown()
    }

    @Test("the trials module cannot turn its token into the pupil's assessment token")
    func moduleCannotJoin() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(81, purposes: ["assessment", "event_attendance"])
        let trials = try #require(family.pupil.moduleTokens[.trials])
        let denied = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(for: .module(trials), in: .assessment, purpose: "assessment", by: Principals.service(.trials))
        }
        #expect(denied?.code == .policyDenied)
        let wrongPurpose = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(for: .module(trials), in: .assessment, purpose: "event_attendance", by: Principals.service(.trials))
        }
        #expect(wrongPurpose?.code == .purposeNotServed)
        let allowed = try await fixture.vault.moduleToken(
            for: .module(trials), in: .assessment, purpose: "assessment", by: Principals.service(.assessment))
        #expect(allowed == family.pupil.moduleTokens[.assessment])
        await fixture.shutdown()
    }

    @Test("a module token is only read for its module's purposes")
    func moduleTokenPurpose() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(82, purposes: ["assessment", "recommendation"])
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.read(
                .module(family.pupil.moduleTokens[.assessment]!), fields: [.grade], purpose: "recommendation", by: Principals.service(.recommendations))
        }
        #expect(error?.code == .purposeNotServed)
        await fixture.shutdown()
    }

    @Test("no translation without a consent for the purpose")
    func needsConsent() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(83, purposes: ["enrolment"])
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(for: .subject(family.pupil.token), in: .assessment, purpose: "assessment", by: Principals.service(.assessment))
        }
        #expect(error?.code == .consentMissing)
        await fixture.shutdown()
    }
}
