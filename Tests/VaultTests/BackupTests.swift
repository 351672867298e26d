import Foundation
import GnuTLS
import Testing
import Tokens
@testable import Vault

/// Invariant 4 at rest and crypto-shredding, checked on what an attacker with a backup would have:
/// a full `pg_dump` of the database.
@Suite("pg_dump: no plaintext, and erased data cannot be recovered")
struct BackupTests {
    /// A plain-format dump of the fixture's whole database, as the superuser.
    static func dump(_ fixture: VaultFixture) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "pg_dump", "--format=plain", "--no-owner", "--dbname=\(fixture.database.cluster.connectionString(database: fixture.database.name))",
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, !data.isEmpty else { throw CocoaError(.fileReadUnknown) }
        return String(decoding: data, as: UTF8.self)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Every bytea value in the dump (`\\x…` in COPY data).
    static func byteaValues(in dump: String) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for line in dump.split(separator: "\n") {
            var rest = Substring(line)
            while let range = rest.range(of: "\\\\x") {
                let digits = rest[range.upperBound...].prefix { $0.isHexDigit }
                var bytes: [UInt8] = []
                var index = digits.startIndex
                while index < digits.endIndex, let next = digits.index(index, offsetBy: 2, limitedBy: digits.endIndex) {
                    bytes.append(UInt8(digits[index..<next], radix: 16)!)
                    index = next
                }
                if !bytes.isEmpty { result.append(bytes) }
                rest = rest[range.upperBound...]
            }
        }
        return result
    }

    /// Every KEK there is: the ring's, and anything in `blobs` that unwraps as a KEK under the
    /// master-derived wrapping key, by version.
    static func keks(in blobs: [[UInt8]], ring: KeyRing) -> [(version: Int, key: SymmetricKey)] {
        var byVersion: [Int: SymmetricKey] = [:]
        for version in ring.versions { byVersion[version] = ring.kek(version) }
        for blob in blobs {
            for version in 1...4 {
                if let kek = try? Envelope.unwrapKEK(blob, version: version, using: ring.kekWrappingKey) { byVersion[version] = kek }
            }
        }
        return byVersion.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Every data key of `subject` in `blobs` that unwraps under any of `keks` at any data-key version.
    static func dataKeys(for subject: UUID, in blobs: [[UInt8]], keks: [(version: Int, key: SymmetricKey)]) -> [(version: Int, key: SymmetricKey)] {
        var found: [(version: Int, key: SymmetricKey)] = []
        for blob in blobs where blob.count == 61 {
            for (kekVersion, kek) in keks {
                for version in 1...3 {
                    if let key = try? Envelope.unwrapDataKey(blob, subject: subject, dataKeyVersion: version, kek: kek, kekVersion: kekVersion) {
                        found.append((version, key))
                    }
                }
            }
        }
        return found
    }

    @Test("the dump of a populated vault contains none of the synthetic plaintext values, in text or in hex")
    func noPlaintextInDump() async throws {
        let fixture = try await VaultFixture.make()
        var values: [String] = []
        for seed in 110..<116 {
            let family = try await fixture.family(seed, purposes: ["enrolment", "parent_request"], healthPurposes: ["parent_request"])
            let request = try await fixture.openAccessRequest(for: family.pupil.token)
            _ = try await fixture.vault.read(
                .subject(family.pupil.token), fields: SubjectKind.pupil.fields, purpose: "parent_request", request: request, by: Principals.school())
            _ = try await fixture.vault.findPupils(
                snils: PersonalValue(Synthetic.snils(seed)), purpose: "parent_request", request: request, by: Principals.school())
            let pupil = Synthetic.pupilValues(seed, birthDate: ConsentFixtures.birthDate(age: 12))
            for (field, value) in pupil { values += [value.exposedText, try FieldRules.normalise(value, for: field).exposedText] }
            for (field, value) in Synthetic.guardianValues(seed) { values += [value.exposedText, try FieldRules.normalise(value, for: field).exposedText] }
            values.append(ConsentFixtures.scan(seed).originalLocation.exposedText)
            values.append(Synthetic.snils(seed).filter(\.isNumber))
        }
        let staff = try await fixture.vault.register(
            .staff(organisation: .init("school", Synthetic.school), region: Synthetic.region, user: "usr_staff116", values: Synthetic.staffValues(116)),
            by: Principals.school(), purpose: "staff_management")
        _ = staff
        for (field, value) in Synthetic.staffValues(116) { values += [value.exposedText, try FieldRules.normalise(value, for: field).exposedText] }

        let dump = try Self.dump(fixture)
        #expect(dump.contains("COPY vault.fields"))
        #expect(dump.contains("COPY audit.events"))
        let scanned = Set(values).filter { $0.utf8.count >= 5 }
        #expect(scanned.count > 100)
        var found: [String] = []
        for value in scanned.sorted() {
            if dump.contains(value) || dump.lowercased().contains(Self.hex(Array(value.utf8))) { found.append(value) }
        }
        #expect(found.isEmpty, "plaintext found in the dump: \(found.count) values")
        // The scan's own bytes (a PDF) are not in the dump either.
        #expect(!dump.contains(Self.hex(ConsentFixtures.pdf)))
        await fixture.shutdown()
    }

    @Test("after erasure the subject's data cannot be recovered from a full dump plus every remaining key")
    func erasedDataUnrecoverable() async throws {
        let fixture = try await VaultFixture.make()
        let erased = try await fixture.family(120)
        let control = try await fixture.family(121)
        let erasedID = try await fixture.vault.subjectID(of: erased.pupil.token)
        let controlID = try await fixture.vault.subjectID(of: control.pupil.token)
        // An attacker's earlier copy of the erased pupil's ciphertexts.
        let earlierCiphertexts = try await fixture.asSuperuser { pool in
            try await pool.query("SELECT name, ciphertext FROM vault.fields WHERE subject_id = \(erasedID)").map {
                (FieldName(rawValue: try $0.decode(String.self, at: 0)), try $0.decode([UInt8].self, at: 1))
            }
        }
        #expect(earlierCiphertexts.count == 14)
        try await fixture.vault.erase(erased.pupil.token, reason: .subjectRequest, by: "user:usr_operator")

        let dump = try Self.dump(fixture)
        let blobs = Self.byteaValues(in: dump)
        // Every key there is: the master-derived keys and every KEK, plus anything in the dump that
        // unwraps as a KEK under the wrapping key.
        let ring = try fixture.vault.keys()
        let keks = Self.keks(in: blobs, ring: ring)
        #expect(!keks.isEmpty)
        // The recovery procedure works: the control pupil's data key is in the dump and opens its fields.
        let controlKeys = Self.dataKeys(for: controlID, in: blobs, keks: keks).map(\.key)
        #expect(controlKeys.count == 1)
        // The erased pupil's is not; and no key there opens the earlier copy of its ciphertexts.
        #expect(Self.dataKeys(for: erasedID, in: blobs, keks: keks).isEmpty)
        let allKeys = controlKeys + keks.map(\.1) + [ring.kekWrappingKey, ring.blindIndexKey, ring.auditHashSource]
        for (field, ciphertext) in earlierCiphertexts {
            for key in allKeys {
                let context = Envelope.fieldContext(subject: erasedID, field: field, dataKeyVersion: 1)
                #expect((try? Envelope.open(ciphertext, key: key, context: context)) == nil)
            }
        }
        // And nothing of it is left in the dump in the clear.
        for (_, value) in Synthetic.pupilValues(120) where value.exposedText.utf8.count >= 5 {
            #expect(!dump.contains(value.exposedText))
        }
        await fixture.shutdown()
    }

    @Test("a destroyed field cannot be opened from a dump taken before: the subject was re-keyed and the old data key is gone")
    func destroyedFieldUnrecoverable() async throws {
        let clock = MovableClock()
        let fixture = try await VaultFixture.make(clock: clock.vaultClock)
        let family = try await fixture.family(125, purposes: ["parent_request"], healthPurposes: ["parent_request"], now: clock.now)
        let id = try await fixture.vault.subjectID(of: family.pupil.token)
        let stored: () async throws -> [String: (ciphertext: [UInt8], version: Int)] = {
            try await fixture.asSuperuser { pool in
                var result: [String: (ciphertext: [UInt8], version: Int)] = [:]
                for row in try await pool.query("SELECT name, ciphertext, data_key_version FROM vault.fields WHERE subject_id = \(id)") {
                    result[try row.decode(String.self, at: 0)] = (try row.decode([UInt8].self, at: 1), try row.decode(Int.self, at: 2))
                }
                return result
            }
        }
        // The backup taken before: it holds the health field's ciphertext, sealed under data-key version 1.
        let before = try await stored()
        let destroyed = try #require(before[FieldName.disabilityStatus.rawValue])
        #expect(destroyed.version == 1)
        let earlierDump = try Self.dump(fixture)
        #expect(Self.byteaValues(in: earlierDump).contains(destroyed.ciphertext))

        let health = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first { $0.healthData })
        let plain = try #require(try await fixture.vault.consents(of: family.pupil.token, by: Principals.school()).first { !$0.healthData })
        try await fixture.vault.withdrawConsent(health.token, by: Principals.school())
        clock.advance(days: 31)
        #expect(try await fixture.vault.runRetention().fieldDeadlinesDone == 1)

        // What remains: every other field, re-sealed under data-key version 2 (new ciphertexts).
        let after = try await stored()
        #expect(after[FieldName.disabilityStatus.rawValue] == nil)
        #expect(Set(after.keys) == Set(before.keys).subtracting([FieldName.disabilityStatus.rawValue]))
        #expect(after.values.allSatisfy { $0.version == 2 })
        #expect(after.allSatisfy { before[$0.key]?.ciphertext != $0.value.ciphertext })

        // Every key that remains: the master-derived keys, every KEK, and whatever data key of this
        // subject the current dump holds under any KEK and version.
        let dump = try Self.dump(fixture)
        let blobs = Self.byteaValues(in: dump)
        let ring = try fixture.vault.keys()
        let keks = Self.keks(in: blobs, ring: ring)
        let dataKeys = Self.dataKeys(for: id, in: blobs, keks: keks)
        // Exactly one data key remains, version 2; the old one is gone from the database.
        #expect(dataKeys.map(\.version) == [2])
        let newKey = try #require(dataKeys.first?.key)
        // It opens what remains (the recovery procedure works) …
        let surname = try #require(after[FieldName.surname.rawValue])
        let opened = try Envelope.open(
            surname.ciphertext, key: newKey, context: Envelope.fieldContext(subject: id, field: .surname, dataKeyVersion: 2))
        #expect(String(decoding: opened, as: UTF8.self) == "Примерова\(Synthetic.marker(125))")
        // … but neither it nor any other remaining key opens the earlier backup's health field.
        let remaining = [newKey] + keks.map(\.1) + [ring.kekWrappingKey, ring.blindIndexKey, ring.auditHashSource]
        for key in remaining {
            for version in 1...2 {
                let context = Envelope.fieldContext(subject: id, field: .disabilityStatus, dataKeyVersion: version)
                #expect((try? Envelope.open(destroyed.ciphertext, key: key, context: context)) == nil)
            }
        }

        // Through the door the rest still reads, and the consent scan (re-sealed too) still downloads intact.
        let request = try await fixture.openAccessRequest(for: family.pupil.token)
        let data = try await fixture.vault.read(
            .subject(family.pupil.token), fields: [.surname, .grade], purpose: "parent_request", request: request, by: Principals.school())
        #expect(data.fields[.grade] == .plain("9"))
        let scan = try await fixture.vault.consentScan(of: plain.token, by: Principals.school())
        #expect(scan.content == ConsentFixtures.pdf)
        let register = try #require(try await fixture.vault.destructionRegister().first)
        #expect([register.scope, register.method, register.reason] == ["fields", "crypto_shredding", "consent_withdrawn"])
        #expect(register.categories == ["disability_status"])
        await fixture.shutdown()
    }
}
