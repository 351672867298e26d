import Audit
import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// Review finding L9: consent records reveal guardians, dates and the health-data flag, so reading
/// them is a read of personal data and is audited when it succeeds, not only when it is refused.
@Suite("Consent reads are audited")
struct ConsentReadAuditTests {
    @Test("a successful read of a pupil's consents appends pii.read (permit) with the consent fields and the policy set")
    func successfulReadIsAudited() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(520)
        let before = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read")
        #expect(before.isEmpty)
        let records = try await fixture.vault.consents(of: family.pupil.token, by: Principals.school())
        #expect(records.count == 1)
        let reads = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read")
        #expect(reads.count == 1)
        let read = try #require(reads.first)
        #expect(read.decision == "permit")
        #expect(read.purpose == "consent_management")
        #expect(read.actor == "bilet://school/\(Synthetic.school)/ws/1")
        #expect(read.payload.contains("\"fields_requested\": [\"scope\", \"status\", \"signed_on\"]"))
        #expect(read.payload.contains("\"fields_returned\": [\"scope\", \"status\", \"signed_on\"]"))
        #expect(read.payload.contains("\"policy_version\": \""))
        await fixture.shutdown()
    }

    @Test("a refused consent read is audited as a policy denial and writes no permit record")
    func refusedReadIsAuditedAsDenial() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(521)
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.consents(of: family.pupil.token, by: Principals.school(Synthetic.otherSchool))
        }
        #expect(error?.code == .policyDenied)
        #expect(try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read").isEmpty)
        let denials = try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "policy.decided")
        #expect(denials.map(\.decision) == ["deny"])
        await fixture.shutdown()
    }

    @Test("when the consent read cannot be audited, no consent record is returned")
    func auditFailureReturnsNothing() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(522)
        try await fixture.asSuperuser { pool in
            try await pool.withTransaction { locker in
                try await locker.execute("LOCK TABLE audit.events IN ACCESS EXCLUSIVE MODE")
                var released: [ConsentRecord]?
                let failed = await #expect(throws: VaultError.self) {
                    released = try await fixture.vault.consents(of: family.pupil.token, by: Principals.school())
                }
                #expect(failed?.code == .auditUnavailable)
                #expect(released == nil)
            }
        }
        #expect(try await fixture.auditRows(subject: family.pupil.token.rawValue, kind: "pii.read").isEmpty)
        await fixture.shutdown()
    }
}
