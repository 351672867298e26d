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

    @Test("no module can join tables through the vault: another module's token is not translated, and the refusal is audited")
    func moduleCannotJoin() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(81, purposes: ["assessment", "event_attendance"])
        let trials = try #require(family.pupil.moduleTokens[.trials])
        let assessment = try #require(family.pupil.moduleTokens[.assessment])
        // The trials module's own token, but for a purpose of assessment it does not read for.
        let denied = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(for: .module(trials), in: .assessment, purpose: "assessment", by: Principals.service(.trials))
        }
        #expect(denied?.code == .policyDenied)
        let wrongPurpose = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(for: .module(trials), in: .assessment, purpose: "event_attendance", by: Principals.service(.trials))
        }
        #expect(wrongPurpose?.code == .purposeNotServed)
        // The assessment module holding a trials token cannot turn it into its own.
        let joined = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(for: .module(trials), in: .assessment, purpose: "assessment", by: Principals.service(.assessment))
        }
        #expect(joined?.code == .policyDenied)
        #expect(joined?.reason == "policy: forbidden (a token of another module's namespace)")
        // Nor can a person (a navigator of the pupil's school) without a rule that says so.
        try await fixture.relate("assigned_navigator", "pupil", family.pupil.token.rawValue, "user", "usr_nav81")
        let person = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(for: .module(trials), in: .assessment, purpose: "assessment", by: Principals.navigator("usr_nav81"))
        }
        #expect(person?.code == .policyDenied)
        #expect(person?.reason == "policy: no_matching_permit (a token of another module's namespace)")
        // Its own token, or the vault's, still translates for the module itself.
        #expect(try await fixture.vault.moduleToken(
            for: .module(assessment), in: .assessment, purpose: "assessment", by: Principals.service(.assessment)) == assessment)
        #expect(try await fixture.vault.moduleToken(
            for: .subject(family.pupil.token), in: .assessment, purpose: "assessment", by: Principals.service(.assessment)) == assessment)
        let rows = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "token.resolved")
        #expect(rows.map(\.decision) == ["deny", "deny", "deny", "deny", "permit", "permit"])
        #expect(rows.map(\.actor) == [
            "service:trials", "service:trials", "service:assessment", "user:usr_nav81", "service:assessment", "service:assessment",
        ])
        #expect(rows.prefix(4).allSatisfy { $0.payload.contains("\"fields_returned\": []") })
        await fixture.shutdown()
    }

    @Test("a module's own token translates into another namespace only where a rule names it (review #10): recommendations for a recommendation, nobody else")
    func ownTokenTranslates() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(84, purposes: ["assessment", "recommendation", "event_attendance"])
        let recommendations = try #require(family.pupil.moduleTokens[.recommendations])
        let assessment = try #require(family.pupil.moduleTokens[.assessment])
        // The recommendations engine's rule names a recommendation only.
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(
                for: .module(recommendations), in: .assessment, purpose: "assessment", by: Principals.service(.recommendations))
        }
        #expect(error?.code == .policyDenied)
        #expect(error?.reason == "policy: no_matching_permit (a token of another module's namespace)")
        #expect(
            try await fixture.vault.moduleToken(
                for: .module(recommendations), in: .assessment, purpose: "recommendation", by: Principals.service(.recommendations))
                == assessment)
        // The assessment module's own token into trials: no rule names it.
        let toTrials = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(for: .module(assessment), in: .trials, purpose: "event_attendance", by: Principals.service(.assessment))
        }
        #expect(toTrials?.code == .policyDenied)
        #expect(toTrials?.reason == "policy: no_matching_permit (a token of another module's namespace)")
        // A foreign token with `to` its holder's own module is refused in code, before any policy.
        let trials = try #require(family.pupil.moduleTokens[.trials])
        let foreign = await #expect(throws: VaultError.self) {
            try await fixture.vault.moduleToken(for: .module(trials), in: .trials, purpose: "event_attendance", by: Principals.service(.assessment))
        }
        #expect(foreign?.code == .policyDenied)
        #expect(foreign?.reason == "policy: forbidden (a token of another module's namespace)")
        let rows = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "token.resolved")
        #expect(rows.map(\.decision) == ["deny", "permit", "deny", "deny"])
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
