import Foundation
import Testing
import Tokens
@testable import Vault

/// Tokens are random, unguessable, never derived from personal data, and typed per namespace.
@Suite("Tokens")
struct TokenTests {
    @Test("a token is its prefix and 22 base64url characters of 16 random bytes")
    func format() throws {
        let token = try SubjectToken(entropy: Array(repeating: 0, count: 16))
        #expect(token.rawValue == "sub_AAAAAAAAAAAAAAAAAAAAAA")
        let ones = try AssessmentToken(entropy: Array(repeating: 0xFF, count: 16))
        #expect(ones.rawValue == "asm______________________w")
        #expect(try SubjectToken(parsing: token.rawValue) == token)
        #expect(SubjectToken("sub_AAAAAAAAAAAAAAAAAAAAAA") == token)
    }

    @Test(
        "malformed or foreign tokens are refused",
        arguments: [
            "", "sub_", "sub_AAAAAAAAAAAAAAAAAAAAA", "sub_AAAAAAAAAAAAAAAAAAAAAAA", "asm_AAAAAAAAAAAAAAAAAAAAAA",
            "SUB_AAAAAAAAAAAAAAAAAAAAAA", "sub_AAAAAAAAAAAAAAAAAAAAA+", "sub_AAAAAAAAAAAAAAAAAAAAAB",
            "sub-AAAAAAAAAAAAAAAAAAAAAA", "sub_AAAAAAAAAAAAAAAAAAAA==",
        ])
    func malformed(text: String) {
        let error = #expect(throws: TokenError.self) { try SubjectToken(parsing: text) }
        #expect(error?.code == .malformed)
        #expect(error?.description == "token.malformed (expected a sub_ token)")
    }

    @Test("16 bytes of entropy exactly")
    func entropyLength() {
        let error = #expect(throws: TokenError.self) { try SubjectToken(entropy: [1, 2, 3]) }
        #expect(error?.code == .invalidEntropy)
    }

    @Test("a module token says which module it belongs to and types only as that module's")
    func moduleTokens() throws {
        let token = try ModuleToken(module: .trials, entropy: Array(repeating: 7, count: 16))
        #expect(token.rawValue.hasPrefix("trl_"))
        #expect(try ModuleToken(parsing: token.rawValue) == token)
        #expect(token.typed(as: TrialsNamespace.self)?.rawValue == token.rawValue)
        #expect(token.typed(as: AssessmentNamespace.self) == nil)
        #expect(throws: TokenError.self) { try ModuleToken(parsing: "sub_AAAAAAAAAAAAAAAAAAAAAA") }
        for module in Module.allCases {
            #expect(Module(tokenPrefix: module.tokenPrefix) == module)
        }
    }

    @Test("registering the same data twice gives unrelated tokens (nothing is derived from it)")
    func notDerived() async throws {
        let fixture = try await VaultFixture.make()
        let values = Synthetic.pupilValues(30).filter { $0.key != .snils }
        let first = try await fixture.vault.createDirectly(.pupil(school: Synthetic.school, region: Synthetic.region, values: values))
        let second = try await fixture.vault.createDirectly(
            .pupil(school: Synthetic.school, region: Synthetic.region, values: values, allowNamesake: true))
        #expect(first != second)
        let tokens = try await fixture.asSuperuser { pool in
            try await pool.query("SELECT token FROM vault.module_tokens ORDER BY token").map { try $0.decode(String.self, at: 0) }
        }
        #expect(tokens.count == 6)
        #expect(Set(tokens).count == 6)
        await fixture.shutdown()
    }

    @Test("a pupil gets one different pairwise token per module; guardians and staff get none")
    func pairwise() async throws {
        let fixture = try await VaultFixture.make()
        let pupil = try await fixture.vault.createDirectly(
            .pupil(school: Synthetic.school, region: Synthetic.region, values: Synthetic.pupilValues(31)))
        _ = try await fixture.vault.createDirectly(.guardian(of: pupil, values: Synthetic.guardianValues(31)))
        let rows = try await fixture.asSuperuser { pool in
            try await pool.query(
                "SELECT m.module, m.token, s.token FROM vault.module_tokens m JOIN vault.subjects s ON s.id = m.subject_id ORDER BY m.module"
            ).map { (try $0.decode(String.self, at: 0), try $0.decode(String.self, at: 1), try $0.decode(String.self, at: 2)) }
        }
        #expect(rows.map(\.0) == ["assessment", "recommendations", "trials"])
        #expect(rows.allSatisfy { $0.2 == pupil.rawValue })
        #expect(try rows.map { try ModuleToken(parsing: $0.1).module.rawValue } == rows.map(\.0))
        #expect(Set(rows.map(\.1)).count == 3)
        await fixture.shutdown()
    }
}
