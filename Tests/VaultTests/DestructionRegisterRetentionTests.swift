import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// The vault's destruction register keeps each entry three years after the destruction it records
/// (as the audit log's register does), and only the retention job's purge removes it afterwards.
@Suite("Destruction register retention")
struct DestructionRegisterRetentionTests {
    /// An entry written as the superuser, `age` before now (the register's own clock).
    static func backdatedEntry(_ pool: PostgresConnectionPool, subject: String, age: String, keepUntil: String? = nil) async throws {
        try await pool.execute(
            """
            INSERT INTO vault.destruction_register
                (subject_token, subject_kind, scope, categories, method, reason, requested_by, destroyed_at, keep_until)
            VALUES (\(subject), 'pupil', 'subject', ARRAY['surname'], 'crypto_shredding', 'subject_request', 'user:usr_operator',
                    clock_timestamp() - CAST(\(age) AS interval), CAST(\(keepUntil) AS timestamptz))
            """)
    }

    /// A well-formed subject token that was never issued.
    static func token(_ byte: UInt8) throws -> String {
        try SubjectToken(entropy: Array(repeating: byte, count: 16)).rawValue
    }

    @Test("every entry is kept exactly three years after its destruction, whatever the writer asks")
    func keepUntilIsThreeYears() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(180)
        try await fixture.vault.erase(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        let register = try await fixture.vault.destructionRegister()
        #expect(register.count == 2)
        for record in register {
            let years = Calendar(identifier: .gregorian).dateComponents([.year, .second], from: record.destroyedAt, to: record.keepUntil)
            #expect(years.year == 3 && years.second == 0)
        }
        // A writer that asks for less gets three years anyway.
        let kept = try await fixture.asSuperuser { pool in
            let short = try Self.token(1)
            try await Self.backdatedEntry(pool, subject: short, age: "0 days", keepUntil: "2000-01-01T00:00:00Z")
            return try await pool.query(
                "SELECT keep_until = destroyed_at + interval '3 years' FROM vault.destruction_register WHERE subject_token = \(short)"
            ).singleValue(Bool.self)
        }
        #expect(kept)
        await fixture.shutdown()
    }

    @Test("the retention job removes entries past their three years, and only those")
    func purge() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(181)
        try await fixture.vault.erase(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        let expired = try Self.token(2)
        let almost = try Self.token(3)
        try await fixture.asSuperuser { pool in
            try await Self.backdatedEntry(pool, subject: expired, age: "3 years 1 day")
            try await Self.backdatedEntry(pool, subject: almost, age: "3 years -1 day")
        }
        #expect(try await fixture.vault.destructionRegister().count == 4)
        let report = try await fixture.vault.runRetention()
        #expect(report.registerEntriesPurged == 1)
        let left = try await fixture.vault.destructionRegister().map(\.subject.rawValue)
        #expect(left.count == 3)
        #expect(!left.contains(expired))
        #expect(left.contains(almost))
        #expect(try await fixture.vault.runRetention().registerEntriesPurged == 0)
        await fixture.shutdown()
    }

    enum Tamper: String, CaseIterable {
        case delete, shortenKeepUntil
    }

    @Test("the vault's role can neither delete register entries nor shorten their term", arguments: Tamper.allCases)
    func vaultRoleCannotTamper(_ tamper: Tamper) async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(182)
        try await fixture.vault.erase(family.pupil.token, reason: .subjectRequest, by: "user:usr_operator")
        let error = await #expect(throws: PostgresError.self) {
            switch tamper {
            case .delete: _ = try await fixture.pool.execute("DELETE FROM vault.destruction_register")
            case .shortenKeepUntil: _ = try await fixture.pool.execute("UPDATE vault.destruction_register SET keep_until = now()")
            }
        }
        #expect(error?.sqlState == .insufficientPrivilege)
        #expect(try await fixture.vault.destructionRegister().count == 2)
        await fixture.shutdown()
    }
}
