import Foundation
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// The batch registration behind the bulk import: all or nothing in one transaction, every row's
/// problem named, audited per subject. Synthetic data only. (Timing is measured by the benchmark,
/// `bilet-bench import`, never here.)
@Suite("Pupil batch registration")
struct PupilBatchTests {
    /// A batch entry for `seed`: a 12-year-old pupil and a parent, a paper consent signed a week ago.
    static func entry(_ seed: Int, row: Int? = nil, snils: String? = nil) -> PupilBatchEntry {
        let now = Date()
        var pupil: [FieldName: PersonalValue] = [
            .surname: PersonalValue("Примерова\(Synthetic.marker(seed))"),
            .firstName: PersonalValue("Тестина"),
            .birthDate: PersonalValue(ConsentFixtures.birthDate(age: 12, now: now)),
            .grade: "6",
            .snils: PersonalValue(snils ?? Synthetic.snils(seed)),
        ]
        if seed % 2 == 0 { pupil[.patronymic] = "Фиктивовна" }
        return PupilBatchEntry(
            row: row ?? seed + 2, pupil: pupil,
            guardian: [
                .name: PersonalValue("Примеров Опекун \(Synthetic.marker(seed))"), .relation: "mother",
                .phone: PersonalValue("+7 900 111-\(Synthetic.pad(seed % 100, 2))-\(Synthetic.pad(seed / 100 % 100, 2))"),
            ],
            guardianIsParent: true,
            consent: PaperConsentReference(number: "К-\(seed)", signedOn: CivilDate(now.addingTimeInterval(-7 * 86_400)).iso))
    }

    static func count(_ fixture: VaultFixture, _ sql: SQLStatement) async throws -> Int {
        try await fixture.asSuperuser { pool in try await pool.query(sql).singleValue(Int.self) }
    }

    @Test("The consent form's number is stored as written, whatever its characters (quotes, backslashes, Cyrillic)")
    func consentNumberStoredAsWritten() async throws {
        let fixture = try await VaultFixture.make()
        defer { Task { await fixture.shutdown() } }
        var entry = Self.entry(1)
        let number = #"К-"1"\2/3"#
        entry.consent = PaperConsentReference(number: number, signedOn: entry.consent.signedOn)
        let outcome = try await fixture.vault.registerPupils([entry], school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        guard case .registered = outcome else {
            Issue.record("expected the batch to be registered")
            return
        }
        let stored = try await fixture.asSuperuser { pool in
            try await pool.query("SELECT paper_reference FROM vault.consents").singleValue(String.self)
        }
        #expect(stored == number)
    }

    @Test("10,000 rows are stored in one transaction: pupils, guardians, paper consents, tokens in input order, audited per subject")
    func tenThousandRows() async throws {
        let fixture = try await VaultFixture.make()
        defer { Task { await fixture.shutdown() } }
        let entries = (0..<10_000).map { Self.entry($0) }
        let outcome = try await fixture.vault.registerPupils(
            entries, school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        guard case .registered(let tokens) = outcome else {
            Issue.record("expected the batch to be registered")
            return
        }
        #expect(tokens.count == 10_000)
        #expect(Set(tokens).count == 10_000)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM vault.subjects WHERE kind = 'pupil'") == 10_000)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM vault.subjects WHERE kind = 'guardian'") == 10_000)
        #expect(
            try await Self.count(
                fixture,
                """
                SELECT count(*) FROM vault.consents
                WHERE paper_reference IS NOT NULL AND collection = 'paper' AND state = 'active' AND given_by = 'parent'
                """) == 10_000)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM vault.blind_indexes WHERE kind = 'snils'") == 10_000)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM vault.module_tokens") == 30_000)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM audit.events WHERE kind = 'pii.written' AND decision = 'permit'") == 20_000)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM audit.events WHERE kind = 'consent.changed'") == 10_000)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM audit.events WHERE kind = 'pupils.imported' AND decision = 'permit'") == 1)

        // Input order: row 5's token is the pupil whose surname row 5 carried, read back through the one door
        // (the registered paper consent covers enrolment).
        let data = try await fixture.vault.read(.subject(tokens[5]), fields: [.surname, .grade], purpose: "enrolment", by: Principals.school())
        #expect(data.fields[.surname] == .plain(PersonalValue("Примерова\(Synthetic.marker(5))")))
        #expect(data.fields[.grade] == .plain("6"))
        // The consent lists without a scan yet.
        let consents = try await fixture.vault.consents(of: tokens[5], by: Principals.school())
        #expect(consents.count == 1)
        #expect(consents.first?.scanSHA256 == nil)
        #expect(consents.first?.signedOn == entries[5].consent.signedOn)
    }

    @Test("One failing row stores nothing and is named with its field")
    func failingRowStoresNothing() async throws {
        let fixture = try await VaultFixture.make()
        defer { Task { await fixture.shutdown() } }
        var entries = (0..<200).map { Self.entry($0) }
        entries[57] = Self.entry(57, snils: "123-456-789 00")
        let outcome = try await fixture.vault.registerPupils(
            entries, school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        #expect(outcome == .refused([PupilBatchIssue(row: 59, field: "snils", part: "pupil", code: .invalidValue)]))
        #expect(try await Self.count(fixture, "SELECT count(*) FROM vault.subjects") == 0)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM vault.consents") == 0)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM audit.events WHERE kind IN ('pii.written', 'consent.changed')") == 0)
    }

    @Test("A pupil registered at the school already refuses the batch; one at another school does not show")
    func duplicates() async throws {
        let fixture = try await VaultFixture.make()
        defer { Task { await fixture.shutdown() } }
        let first = try await fixture.vault.registerPupils(
            [Self.entry(1), Self.entry(2)], school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        guard case .registered = first else {
            Issue.record("expected the first batch to be registered")
            return
        }
        let again = try await fixture.vault.registerPupils(
            [Self.entry(3, row: 2), Self.entry(2, row: 3)], school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        #expect(
            again == .refused([
                PupilBatchIssue(row: 3, field: "snils", part: "pupil", code: .duplicateSubject),
                PupilBatchIssue(row: 3, field: nil, part: "pupil", code: .duplicateSubject),
            ]))
        // Another school registering the same child learns nothing: its batch goes through.
        let other = "77-9999"
        let elsewhere = try await fixture.vault.registerPupils(
            [Self.entry(2, row: 2)], school: other, region: Synthetic.region, by: Principals.school(other))
        guard case .registered(let tokens) = elsewhere else {
            Issue.record("expected the other school's batch to be registered")
            return
        }
        #expect(tokens.count == 1)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM vault.subjects WHERE kind = 'pupil'") == 3)
    }

    @Test("A batch takes the advisory lock of each digest a single registration takes: it waits while one is held, then registers")
    func batchWaitsOnTheDigestLocks() async throws {
        let fixture = try await VaultFixture.make()
        defer { Task { await fixture.shutdown() } }
        // A name-only row (no SNILS): the duplicate a concurrent registration could otherwise miss.
        var entry = Self.entry(7)
        entry.pupil[.snils] = nil
        let ring = try fixture.vault.keys()
        let digest = try #require(
            try BlindIndex.indexes(for: .pupil, values: entry.pupil, key: ring.blindIndexKey).first { $0.0 == .nameBirthDate }?.1)
        let key = BlindIndex.lockKey(digest)
        let vault = fixture.vault
        let row = entry
        let batch = try await fixture.database.withPool(maxConnections: 1) { admin in
            try await admin.withTransaction { connection in
                // What a single registration of the same child holds while it checks and writes.
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(key))")
                let batch = Task { @Sendable in
                    try await vault.registerPupils([row], school: Synthetic.school, region: Synthetic.region, by: Principals.school())
                }
                var waiting = 0
                for _ in 0..<40 where waiting == 0 {
                    try await Task.sleep(for: .milliseconds(100))
                    waiting = try await connection.query(
                        "SELECT count(*)::int FROM pg_locks WHERE locktype = 'advisory' AND NOT granted").singleValue(Int.self)
                }
                #expect(waiting == 1)
                #expect(try await connection.query("SELECT count(*)::int FROM vault.subjects").singleValue(Int.self) == 0)
                return batch
            }
        }
        guard case .registered(let tokens) = try await batch.value else {
            Issue.record("expected the batch to be registered once the lock was released")
            return
        }
        #expect(tokens.count == 1)
    }

    @Test("A form covering other purposes gets one consent per purpose, as a single registration; an unknown purpose refuses the row")
    func otherPurposes() async throws {
        let fixture = try await VaultFixture.make()
        defer { Task { await fixture.shutdown() } }
        var covered = Self.entry(1)
        covered.consent.otherPurposes = ["parent_request"]
        var unknown = Self.entry(2)
        unknown.consent.otherPurposes = ["no_such_purpose"]
        var twice = Self.entry(3)
        twice.consent.otherPurposes = ["enrolment"]
        let refused = try await fixture.vault.registerPupils(
            [covered, unknown, twice], school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        #expect(
            refused == .refused([
                PupilBatchIssue(row: 4, field: "consent_purposes", part: "consent", code: .invalidConsent),
                PupilBatchIssue(row: 5, field: "consent_purposes", part: "consent", code: .invalidConsent),
            ]))
        guard case .registered(let tokens) = try await fixture.vault.registerPupils(
            [covered, Self.entry(4)], school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        else {
            Issue.record("expected the batch to be registered")
            return
        }
        #expect(Set(try await fixture.vault.consents(of: tokens[0], by: Principals.school()).map(\.purpose)) == ["enrolment", "parent_request"])
        #expect(try await fixture.vault.consents(of: tokens[1], by: Principals.school()).map(\.purpose) == ["enrolment"])
        #expect(try await Self.count(fixture, "SELECT count(*) FROM audit.events WHERE kind = 'consent.changed'") == 3)
    }

    @Test("A role the policy does not let register pupils is refused, audited, and nothing is stored")
    func policyRefusal() async throws {
        let fixture = try await VaultFixture.make()
        defer { Task { await fixture.shutdown() } }
        await #expect(throws: VaultError(.policyDenied, reason: "policy: deny")) {
            try await fixture.vault.registerPupils(
                [Self.entry(1)], school: Synthetic.school, region: Synthetic.region, by: Principals.navigator("usr_nav"))
        }
        #expect(try await Self.count(fixture, "SELECT count(*) FROM vault.subjects") == 0)
        #expect(try await Self.count(fixture, "SELECT count(*) FROM audit.events WHERE kind = 'pupils.imported' AND decision = 'deny'") == 1)
    }

    @Test("After a batch registration a pg_dump of the whole database holds no surname, SNILS or phone number in clear")
    func dumpHoldsNoPlaintext() async throws {
        let fixture = try await VaultFixture.make()
        defer { Task { await fixture.shutdown() } }
        let entries = (0..<300).map { Self.entry($0 + 1_000) }
        guard case .registered = try await fixture.vault.registerPupils(
            entries, school: Synthetic.school, region: Synthetic.region, by: Principals.school())
        else {
            Issue.record("expected the batch to be registered")
            return
        }
        let text = try BackupTests.dump(fixture)
        #expect(text.contains("vault.subjects"), "the dump is the vault's")
        let dump = Data(text.utf8)
        func absent(_ value: String) -> Bool { dump.range(of: Data(value.utf8)) == nil }
        for entry in entries {
            let surname = try #require(entry.pupil[.surname]?.exposedText)
            let snils = try #require(entry.pupil[.snils]?.exposedText)
            let phone = try #require(entry.guardian[.phone]?.exposedText)
            #expect(absent(surname))
            #expect(absent(snils))
            #expect(absent(snils.filter(\.isNumber)))
            #expect(absent(phone.filter(\.isNumber)))
            #expect(absent(try #require(entry.guardian[.name]?.exposedText)))
        }
    }
}
