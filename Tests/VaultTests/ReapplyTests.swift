import Foundation
import Testing
@testable import Vault

/// Re-applying a destruction register entry to a (restored) database: what is refused.
@Suite("re-applying a destruction register entry")
struct ReapplyTests {
    @Test("an entry whose reason the vault does not know is refused, not re-applied under a plausible reason")
    func unknownReasonRefused() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(906)
        let entry = DestructionRecord(
            subject: family.pupil.token, kind: .pupil, scope: "subject", categories: ["surname"], method: "crypto_shredding",
            reason: "not_a_reason", requestedBy: "user:usr_operator", destroyedAt: Date(), keepUntil: Date())
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.reapply(entry, by: "service:backup-restore")
        }
        #expect(error?.code == .storage)
        let token = family.pupil.token.rawValue
        let keys = try await fixture.asSuperuser { pool in
            try await pool.query("SELECT count(*) FROM vault.subjects WHERE data_key IS NOT NULL AND token = \(token)").singleValue(Int64.self)
        }
        #expect(keys == 1)
        await fixture.shutdown()
    }
}
