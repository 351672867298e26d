import Foundation
import Testing
import Tokens
@testable import Vault

/// Blind indexes (keyed HMAC) find duplicate pupils by SNILS, and by normalised surname, first
/// name and birth date, without any plaintext search.
@Suite("Blind indexes and duplicate detection")
struct BlindIndexTests {
    @Test("a second pupil with the same SNILS is refused, however the SNILS is written")
    func duplicateSnils() async throws {
        let fixture = try await VaultFixture.make()
        _ = try await fixture.vault.createDirectly(
            .pupil(school: Synthetic.school, region: Synthetic.region, values: Synthetic.pupilValues(40)))
        var other = Synthetic.pupilValues(41)
        other[.snils] = PersonalValue(Synthetic.snils(40).filter(\.isNumber))
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.createDirectly(.pupil(school: Synthetic.otherSchool, region: Synthetic.region, values: other, allowNamesake: true))
        }
        #expect(error?.code == .duplicateSubject)
        #expect(error?.description == "vault.duplicate_subject: a subject with the same snils is registered")
        await fixture.shutdown()
    }

    @Test("a second pupil with the same normalised name and birth date is refused unless namesakes are allowed")
    func duplicateNameAndBirthDate() async throws {
        let fixture = try await VaultFixture.make()
        _ = try await fixture.vault.createDirectly(
            .pupil(school: Synthetic.school, region: Synthetic.region, values: Synthetic.pupilValues(42)))
        var other = Synthetic.pupilValues(43)
        other[.surname] = PersonalValue("  " + Synthetic.pupilValues(42)[.surname]!.exposedText.uppercased() + " ")
        other[.firstName] = PersonalValue(Synthetic.pupilValues(42)[.firstName]!.exposedText.lowercased())
        let error = await #expect(throws: VaultError.self) {
            try await fixture.vault.createDirectly(.pupil(school: Synthetic.school, region: Synthetic.region, values: other))
        }
        #expect(error?.code == .duplicateSubject)
        _ = try await fixture.vault.createDirectly(
            .pupil(school: Synthetic.school, region: Synthetic.region, values: other, allowNamesake: true))
        await fixture.shutdown()
    }

    @Test("normalisation folds case, ё and punctuation but keeps the birth date")
    func normalisation() {
        let a = BlindIndex.normaliseNameAndBirthDate(surname: "Петрова-Водкина", firstName: "Алёна", birthDate: "2011-03-14")
        let b = BlindIndex.normaliseNameAndBirthDate(surname: "петрова водкина", firstName: "АЛЕНА", birthDate: "2011-03-14")
        let c = BlindIndex.normaliseNameAndBirthDate(surname: "петрова водкина", firstName: "АЛЕНА", birthDate: "2011-03-15")
        #expect(a == b)
        #expect(a != c)
    }

    @Test("two registrations racing with one SNILS: exactly one succeeds")
    func concurrentDuplicates() async throws {
        let fixture = try await VaultFixture.make(maxConnections: 8)
        let results = await withTaskGroup(of: VaultError.Code?.self) { group in
            for seed in 0..<6 {
                group.addTask {
                    var values = Synthetic.pupilValues(100 + seed)
                    values[.snils] = PersonalValue(Synthetic.snils(44))
                    do {
                        _ = try await fixture.vault.createDirectly(
                            .pupil(school: Synthetic.school, region: Synthetic.region, values: values))
                        return nil
                    } catch let error as VaultError {
                        return error.code
                    } catch {
                        return .storage
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0 == nil }.count == 1)
        #expect(results.compactMap { $0 } == Array(repeating: .duplicateSubject, count: 5))
        await fixture.shutdown()
    }

    @Test("the blind index table holds keyed digests, not the values or their plain hashes")
    func digestsAreKeyed() async throws {
        let fixture = try await VaultFixture.make()
        _ = try await fixture.vault.createDirectly(
            .pupil(school: Synthetic.school, region: Synthetic.region, values: Synthetic.pupilValues(45)))
        let digests = try await fixture.asSuperuser { pool in
            try await pool.query("SELECT kind, digest FROM vault.blind_indexes ORDER BY kind")
                .map { (try $0.decode(String.self, at: 0), try $0.decode([UInt8].self, at: 1)) }
        }
        #expect(digests.map(\.0) == ["name_birth_date", "snils"])
        let plainHash = try GnuTLSDigest.sha256(Array(Synthetic.snils(45).filter(\.isNumber).utf8))
        #expect(digests.allSatisfy { $0.1.count == 32 && $0.1 != plainHash })
        await fixture.shutdown()
    }
}
