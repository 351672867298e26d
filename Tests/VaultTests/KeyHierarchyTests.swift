import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// Envelope encryption (ARCHITECTURE.md "Key hierarchy"): every field round-trips; any change to a
/// ciphertext, or moving it to another subject or field, is an integrity error; an unknown key
/// version is a clear error.
@Suite("Key hierarchy and field encryption")
struct KeyHierarchyTests {
    static func registration(_ kind: SubjectKind, pupil: SubjectToken? = nil, seed: Int) -> SubjectRegistration {
        switch kind {
        case .pupil:
            .pupil(school: Synthetic.school, region: Synthetic.region, values: Synthetic.pupilValues(seed))
        case .guardian:
            .guardian(of: pupil!, values: Synthetic.guardianValues(seed))
        case .staff:
            .staff(
                organisation: .init("school", Synthetic.school), region: Synthetic.region, user: "usr_staff\(seed)",
                values: Synthetic.staffValues(seed))
        }
    }

    @Test("every field of every kind round-trips, normalised", arguments: SubjectKind.allCases)
    func roundTrip(kind: SubjectKind) async throws {
        let fixture = try await VaultFixture.make()
        let pupil = try await fixture.vault.createDirectly(Self.registration(.pupil, seed: 1))
        let token = kind == .pupil ? pupil : try await fixture.vault.createDirectly(Self.registration(kind, pupil: pupil, seed: 2))
        let expected = Self.registration(kind, pupil: pupil, seed: kind == .pupil ? 1 : 2).values
        let read = try await fixture.vault.decryptDirectly(token, fields: kind.fields)
        #expect(Set(read.keys) == Set(kind.fields))
        for field in kind.fields {
            let normalised = try FieldRules.normalise(expected[field]!, for: field)
            #expect(read[field]?.exposedText == normalised.exposedText, "\(field)")
        }
        await fixture.shutdown()
    }

    @Test("values are normalised before sealing")
    func normalisation() throws {
        #expect(try FieldRules.normalise("  +7 (900) 123-45-67 ", for: .phone).exposedText == "+79001234567")
        #expect(try FieldRules.normalise("8 900 123 45 67", for: .phone).exposedText == "+79001234567")
        #expect(try FieldRules.normalise(PersonalValue(Synthetic.snils(42).filter(\.isNumber)), for: .snils).exposedText == Synthetic.snils(42))
        #expect(try FieldRules.normalise("Pupil.X@Example.INVALID", for: .email).exposedText == "Pupil.X@example.invalid")
        #expect(try FieldRules.normalise("09", for: .grade).exposedText == "9")
    }

    @Test(
        "malformed values are refused naming the field, never the value",
        arguments: [
            (FieldName.birthDate, "2011-02-30"), (.birthDate, "14.03.2011"), (.snils, "123-456-789 00"),
            (.snils, "12345"), (.sex, "unknown"), (.grade, "12"), (.email, "no-at-sign"), (.phone, "12-34"),
            (.surname, "   "), (.surname, "Bad\u{0007}Bell"),
        ])
    func invalidValues(field: FieldName, value: String) throws {
        let error = #expect(throws: VaultError.self) { try FieldRules.normalise(PersonalValue(value), for: field) }
        #expect(error?.code == .invalidValue)
        #expect(error?.field == field)
        #expect(!(error?.description.contains(value) ?? true) || value.trimmingCharacters(in: .whitespaces).isEmpty)
    }

    enum Tamper: String, CaseIterable, Sendable {
        case formatByte, nonce, body, tag, truncated, appended
    }

    @Test("a changed ciphertext is an integrity error naming the field", arguments: Tamper.allCases)
    func tamper(kind: Tamper) async throws {
        let fixture = try await VaultFixture.make()
        let token = try await fixture.vault.createDirectly(Self.registration(.pupil, seed: 3))
        let id = try await fixture.vault.subjectID(of: token)
        try await fixture.asSuperuser { pool in
            let statement: SQLStatement
            switch kind {
            case .formatByte:
                statement = "UPDATE vault.fields SET ciphertext = set_byte(ciphertext, 0, 2) WHERE subject_id = \(id) AND name = 'surname'"
            case .nonce:
                statement = "UPDATE vault.fields SET ciphertext = set_byte(ciphertext, 5, get_byte(ciphertext, 5) # 1) WHERE subject_id = \(id) AND name = 'surname'"
            case .body:
                statement = "UPDATE vault.fields SET ciphertext = set_byte(ciphertext, 14, get_byte(ciphertext, 14) # 128) WHERE subject_id = \(id) AND name = 'surname'"
            case .tag:
                statement = "UPDATE vault.fields SET ciphertext = set_byte(ciphertext, length(ciphertext) - 1, get_byte(ciphertext, length(ciphertext) - 1) # 1) WHERE subject_id = \(id) AND name = 'surname'"
            case .truncated:
                statement = "UPDATE vault.fields SET ciphertext = substring(ciphertext FROM 1 FOR 20) WHERE subject_id = \(id) AND name = 'surname'"
            case .appended:
                statement = "UPDATE vault.fields SET ciphertext = ciphertext || '\\x00'::bytea WHERE subject_id = \(id) AND name = 'surname'"
            }
            let changed = try await pool.execute(statement)
            #expect(changed == 1)
        }
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.decryptDirectly(token, fields: [.surname])
        }
        #expect(error?.code == .integrityFailure)
        #expect(error?.field == .surname)
        // The other fields of the subject still open.
        #expect(try await fixture.vault.decryptDirectly(token, fields: [.firstName])[.firstName] != nil)
        await fixture.shutdown()
    }

    @Test("a ciphertext copied to another subject is an integrity error")
    func copiedToAnotherSubject() async throws {
        let fixture = try await VaultFixture.make()
        let first = try await fixture.vault.createDirectly(Self.registration(.pupil, seed: 4))
        let second = try await fixture.vault.createDirectly(Self.registration(.pupil, seed: 5))
        let (firstID, secondID) = (try await fixture.vault.subjectID(of: first), try await fixture.vault.subjectID(of: second))
        try await fixture.asSuperuser { pool in
            try await pool.execute(
                """
                UPDATE vault.fields SET ciphertext = (SELECT ciphertext FROM vault.fields WHERE subject_id = \(firstID) AND name = 'snils')
                WHERE subject_id = \(secondID) AND name = 'snils'
                """)
        }
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.decryptDirectly(second, fields: [.snils]) }
        #expect(error?.code == .integrityFailure)
        #expect(error?.field == .snils)
        await fixture.shutdown()
    }

    @Test("a ciphertext copied to another field of the same subject is an integrity error")
    func copiedToAnotherField() async throws {
        let fixture = try await VaultFixture.make()
        let token = try await fixture.vault.createDirectly(Self.registration(.pupil, seed: 6))
        let id = try await fixture.vault.subjectID(of: token)
        try await fixture.asSuperuser { pool in
            try await pool.execute(
                """
                UPDATE vault.fields SET ciphertext = (SELECT ciphertext FROM vault.fields WHERE subject_id = \(id) AND name = 'disability_status')
                WHERE subject_id = \(id) AND name = 'grade'
                """)
        }
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.decryptDirectly(token, fields: [.grade]) }
        #expect(error?.code == .integrityFailure)
        #expect(error?.field == .grade)
        await fixture.shutdown()
    }

    @Test("a wrapped data key copied to another subject does not unwrap")
    func dataKeyCopied() async throws {
        let fixture = try await VaultFixture.make()
        let first = try await fixture.vault.createDirectly(Self.registration(.pupil, seed: 7))
        let second = try await fixture.vault.createDirectly(Self.registration(.pupil, seed: 8))
        let firstID = try await fixture.vault.subjectID(of: first)
        try await fixture.asSuperuser { pool in
            try await pool.execute(
                """
                UPDATE vault.subjects SET data_key = (SELECT data_key FROM vault.subjects WHERE id = \(firstID))
                WHERE token = \(second.rawValue)
                """)
        }
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.decryptDirectly(second, fields: [.surname]) }
        #expect(error?.code == .integrityFailure)
        await fixture.shutdown()
    }

    @Test("a data key wrapped by an unknown KEK version is a clear error")
    func unknownKEKVersion() async throws {
        let fixture = try await VaultFixture.make()
        let token = try await fixture.vault.createDirectly(Self.registration(.pupil, seed: 9))
        try await fixture.asSuperuser { pool in
            try await pool.execute("UPDATE vault.subjects SET kek_version = 99 WHERE token = \(token.rawValue)")
        }
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.decryptDirectly(token, fields: [.surname]) }
        #expect(error?.code == .unknownKeyVersion)
        #expect(error?.description == "vault.unknown_key_version: key-encryption key version 99 is not in the key ring")
        await fixture.shutdown()
    }

    @Test("a field sealed under an unknown data-key version is a clear error")
    func unknownDataKeyVersion() async throws {
        let fixture = try await VaultFixture.make()
        let token = try await fixture.vault.createDirectly(Self.registration(.pupil, seed: 10))
        let id = try await fixture.vault.subjectID(of: token)
        try await fixture.asSuperuser { pool in
            try await pool.execute("UPDATE vault.fields SET data_key_version = 7 WHERE subject_id = \(id) AND name = 'email'")
        }
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.decryptDirectly(token, fields: [.email]) }
        #expect(error?.code == .unknownKeyVersion)
        #expect(error?.field == .email)
        await fixture.shutdown()
    }

    @Test("a KEK stored under another version number does not unwrap")
    func kekMovedToAnotherVersion() async throws {
        let fixture = try await VaultFixture.make()
        _ = try await fixture.vault.createDirectly(Self.registration(.pupil, seed: 11))
        try await fixture.asSuperuser { pool in
            try await pool.execute("INSERT INTO vault.keks (version, wrapped, state) SELECT 2, wrapped, 'previous' FROM vault.keks WHERE version = 1")
        }
        let second = fixture.secondVault()
        let error = await #expect(throws: VaultError.self) { try await second.unseal(with: .passphrase(fixture.passphrase), by: "admin:test") }
        #expect(error?.code == .integrityFailure)
        await fixture.shutdown()
    }

    @Test("nothing derived from the master key is reused across purposes")
    func derivedKeysDiffer() throws {
        let master = try Envelope.newKey()
        let ring = try KeyRing(master: master)
        let keys = [ring.kekWrappingKey, ring.blindIndexKey, ring.auditHashSource, try MasterKeyDerivation.derive(.check, from: master)]
        for (i, a) in keys.enumerated() {
            #expect(a != master)
            for b in keys[(i + 1)...] { #expect(a != b) }
        }
    }
}
