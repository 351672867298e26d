import DatabaseTestSupport
import Foundation
@testable import Platform
import Policy
import PostgreSQL
import PupilImport
import Testing
import Tokens
import Vault
import VaultDoor

/// The records door as the vault process answers it (``RecordsDoorHandler``), over a real vault
/// on a fresh database, as verified school callers: transfers take access away from the sending
/// school exactly like an unknown token; a scan's type is checked from its bytes; withdrawals,
/// subject-access requests and the import. Synthetic data only.
@Suite("Records door")
struct RecordsDoorTests {
    static let schoolA = DoorCaller(
        role: "school", account: "usr_schoolaaaaaaaaaaaaaaa", session: "ses_a", organisationKind: "school", organisationID: "77-1234",
        region: "77")
    static let schoolB = DoorCaller(
        role: "school", account: "usr_schoolbbbbbbbbbbbbbbb", session: "ses_b", organisationKind: "school", organisationID: "77-5678",
        region: "77")
    static let officer = DoorCaller(role: "compliance_officer", account: "usr_officerooooooooooooo", session: "ses_c")

    /// A minimal well-formed PDF, JPEG and PNG (synthetic).
    static let pdf: [UInt8] = Array("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0x00, 0x01, 0x01, 0x00, 0xFF, 0xD9]
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [0, 0, 0, 13] + Array("IHDR".utf8)
        + [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE] + [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    struct Fixture {
        let database: TestDatabase
        let pool: PostgresConnectionPool
        let vault: Vault
        let directory: String

        func ask(_ request: RecordsDoorRequest, as caller: DoorCaller) async -> VaultDoorResponse {
            await RecordsDoorHandler.answer(request, caller: caller, vault: vault)
        }

        func count(_ sql: SQLStatement) async throws -> Int {
            try await database.withPool { pool in try await pool.query(sql).singleValue(Int.self) }
        }

        func shutdown() async {
            await pool.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static func fixture() async throws -> Fixture {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components(maxConnectionsPerComponent: 4).makePool(for: .vault)
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let policies = try PolicyStore(directory: root.path + "/policies", hasher: SHA256VersionHasher())
        let vault = Vault(pool: pool, policies: policies, audit: .init())
        let directory = NSTemporaryDirectory() + "bilet-records-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try VaultKeyFile.generate(at: directory + "/master.key")
        try await vault.initialize(with: .keyFile(path: directory + "/master.key"), by: "admin:test")
        return Fixture(database: database, pool: pool, vault: vault, directory: directory)
    }

    /// Imports `rows` synthetic pupils as `caller` and returns their tokens.
    static func importPupils(_ fixture: Fixture, rows: Int, seed: Int = 0, as caller: DoorCaller = schoolA) async throws -> [String] {
        guard case .valid(let checked) = PupilImportFile.check(SyntheticImport.file(rows: rows, seed: seed), today: PupilImportFile.today()) else {
            Issue.record("the synthetic file did not pass the check")
            return []
        }
        let answer = await fixture.ask(.importPupils(checked, today: PupilImportFile.today()), as: caller)
        guard case .records(.imported(let tokens)) = answer else {
            Issue.record("the import was refused")
            return []
        }
        return tokens
    }

    @Test("After a transfer is accepted the sending school gets pupil-not-found, exactly as for an unknown token")
    func transferTakesAccessAway() async throws {
        let fixture = try await Self.fixture()
        defer { Task { await fixture.shutdown() } }
        let pupil = try #require(try await Self.importPupils(fixture, rows: 2).first)
        let unknown = try SubjectToken(entropy: Array(repeating: 7, count: 16)).rawValue

        // Before: school A holds the pupil; school B does not see it.
        guard case .records(.consents(let before)) = await fixture.ask(.consents(of: pupil), as: Self.schoolA) else {
            Issue.record("school A should list its pupil's consents")
            return
        }
        #expect(before.count == 1)
        #expect(await fixture.ask(.consents(of: pupil), as: Self.schoolB) == .refused(code: "pupil-not-found"))

        guard case .records(.transferRequested(let transfer)) = await fixture.ask(.transfer(pupil: pupil, toSchool: "77-5678"), as: Self.schoolA)
        else {
            Issue.record("school A should be able to start the transfer")
            return
        }
        // A second transfer of the same pupil while one waits is a conflict.
        #expect(await fixture.ask(.transfer(pupil: pupil, toSchool: "77-9999"), as: Self.schoolA) == .refused(code: "transfer-conflict"))
        // Only the receiving school sees and accepts it.
        guard case .records(.transfers(let incoming)) = await fixture.ask(.incomingTransfers, as: Self.schoolB) else {
            Issue.record("school B should list its incoming transfers")
            return
        }
        #expect(incoming.map(\.transfer) == [transfer])
        #expect(incoming.map(\.pupil) == [pupil])
        #expect(incoming.map(\.fromSchool) == ["77-1234"])
        #expect(await fixture.ask(.incomingTransfers, as: Self.schoolA) == .records(.transfers([])))
        #expect(await fixture.ask(.acceptTransfer(transfer: transfer), as: Self.schoolA) == .refused(code: "transfer-not-found"))
        #expect(await fixture.ask(.incomingTransfers, as: Self.officer) == .refused(code: "forbidden"))

        #expect(await fixture.ask(.acceptTransfer(transfer: transfer), as: Self.schoolB) == .records(.transferAccepted(pupil: pupil)))
        #expect(await fixture.ask(.acceptTransfer(transfer: transfer), as: Self.schoolB) == .refused(code: "transfer-conflict"))

        // After: school A's answers about the pupil equal its answers about an unknown token.
        for request in [
            { (token: String) in RecordsDoorRequest.consents(of: token) },
            { RecordsDoorRequest.transfer(pupil: $0, toSchool: "77-9999") },
            { RecordsDoorRequest.registerAccessRequest(pupil: $0, receivedOn: "2026-01-12", requesterKind: "guardian") },
        ] {
            let transferred = await fixture.ask(request(pupil), as: Self.schoolA)
            #expect(transferred == .refused(code: "pupil-not-found"))
            #expect(transferred == (await fixture.ask(request(unknown), as: Self.schoolA)))
        }
        // The one door refuses school A's card read too; school B reads the card.
        let schema = fixture.vault.policies.current.schema
        let requesterA = try Requester(caller: Self.schoolA, schema: schema)
        await #expect(throws: VaultError.self) {
            try await fixture.vault.read(.subject(try SubjectToken(parsing: pupil)), fields: [.surname], purpose: "enrolment", by: requesterA)
        }
        let card = try await fixture.vault.read(
            .subject(try SubjectToken(parsing: pupil)), fields: [.surname], purpose: "enrolment",
            by: try Requester(caller: Self.schoolB, schema: schema))
        #expect(card.fields[.surname] != nil)
        guard case .records(.consents(let after)) = await fixture.ask(.consents(of: pupil), as: Self.schoolB) else {
            Issue.record("school B should list its new pupil's consents")
            return
        }
        #expect(after.map(\.consent) == before.map(\.consent))
        // Audited: the request and the acceptance.
        #expect(try await fixture.count("SELECT count(*) FROM audit.events WHERE kind = 'pupil.transferred' AND decision = 'permit'") == 2)
        #expect(
            try await fixture.count(
                "SELECT count(*) FROM vault.subjects WHERE organisation = '77-5678' AND (token = \(pupil) OR pupil_id = (SELECT id FROM vault.subjects WHERE token = \(pupil)))"
            ) == 2)
    }

    @Test(
        "A scan's type is checked from its bytes: only a file of the declared type is attached",
        arguments: [
            ("application/pdf", "pdf", true), ("image/jpeg", "jpeg", true), ("image/png", "png", true),
            ("application/pdf", "png", false), ("image/png", "jpeg", false), ("image/jpeg", "pdf", false),
            ("application/zip", "pdf", false),
        ])
    func scanTypeChecked(declared: String, actual: String, accepted: Bool) async throws {
        let fixture = try await Self.fixture()
        defer { Task { await fixture.shutdown() } }
        let pupil = try #require(try await Self.importPupils(fixture, rows: 1).first)
        guard case .records(.consents(let consents)) = await fixture.ask(.consents(of: pupil), as: Self.schoolA),
              let consent = consents.first?.consent
        else {
            Issue.record("school A should list its pupil's consent")
            return
        }
        let bytes = ["pdf": Self.pdf, "jpeg": Self.jpeg, "png": Self.png][actual] ?? []
        let answer = await fixture.ask(
            .attachScan(pupil: pupil, consent: consent, mediaType: declared, content: Data(bytes).base64EncodedString()), as: Self.schoolA)
        if accepted {
            #expect(answer == .records(.scanAttached))
            #expect(
                await fixture.ask(.scan(pupil: pupil, consent: consent), as: Self.schoolA)
                    == .records(.scan(mediaType: declared, content: Data(bytes).base64EncodedString())))
            #expect(await fixture.ask(.scan(pupil: pupil, consent: consent), as: Self.schoolB) == .refused(code: "pupil-not-found"))
        } else {
            #expect(answer == .refused(code: "document-rejected"))
            #expect(try await fixture.count("SELECT count(*) FROM vault.consent_documents") == 0)
            if declared != "application/zip" {
                #expect(
                    try await fixture.count(
                        "SELECT count(*) FROM audit.events WHERE kind = 'consent.scan_uploaded' AND decision = 'deny' AND payload->>'reason' = 'vault.document_rejected'"
                    ) == 1)
            }
        }
        // Another school cannot attach a scan to this pupil's consent, whatever the file.
        #expect(
            await fixture.ask(
                .attachScan(pupil: pupil, consent: consent, mediaType: "application/pdf", content: Data(Self.pdf).base64EncodedString()),
                as: Self.schoolB) == .refused(code: "pupil-not-found"))
    }

    @Test("A withdrawal answers the 30-day destruction deadline; the consent is then withdrawn")
    func withdrawal() async throws {
        let fixture = try await Self.fixture()
        defer { Task { await fixture.shutdown() } }
        let pupil = try #require(try await Self.importPupils(fixture, rows: 1).first)
        guard case .records(.consents(let consents)) = await fixture.ask(.consents(of: pupil), as: Self.schoolA),
              let consent = consents.first?.consent
        else {
            Issue.record("school A should list its pupil's consent")
            return
        }
        #expect(await fixture.ask(.withdraw(pupil: pupil, consent: consent), as: Self.schoolB) == .refused(code: "pupil-not-found"))
        guard case .records(.withdrawn(let deadline?)) = await fixture.ask(.withdraw(pupil: pupil, consent: consent), as: Self.schoolA),
              let due = ISO8601DateFormatter().date(from: deadline)
        else {
            Issue.record("the withdrawal should answer its destruction deadline")
            return
        }
        #expect(abs(due.timeIntervalSinceNow - 30 * 86_400) < 3_600)
        #expect(await fixture.ask(.withdraw(pupil: pupil, consent: consent), as: Self.schoolA) == .refused(code: "consent-not-active"))
        guard case .records(.consents(let after)) = await fixture.ask(.consents(of: pupil), as: Self.schoolA) else {
            Issue.record("school A should still list the consent")
            return
        }
        #expect(after.map(\.status) == ["withdrawn"])
    }

    @Test("Subject-access requests: registered with their deadline, listed open and overdue per school and by the compliance officer, answered")
    func accessRequests() async throws {
        let fixture = try await Self.fixture()
        defer { Task { await fixture.shutdown() } }
        let pupils = try await Self.importPupils(fixture, rows: 2)
        let old = await fixture.ask(.registerAccessRequest(pupil: pupils[0], receivedOn: "2025-01-09", requesterKind: "guardian"), as: Self.schoolA)
        guard case .records(.accessRequest(let overdue)) = old else {
            Issue.record("the old request should be registered")
            return
        }
        #expect(overdue.deadline == "2025-01-23")
        #expect(overdue.status == "overdue")
        guard case .records(.accessRequest(let fresh)) = await fixture.ask(
            .registerAccessRequest(pupil: pupils[1], receivedOn: PupilImportFile.today(now: Date().addingTimeInterval(-86_400)), requesterKind: "pupil"),
            as: Self.schoolA)
        else {
            Issue.record("the new request should be registered")
            return
        }
        #expect(fresh.status == "open")
        #expect(fresh.requesterKind == "pupil")
        guard case .records(.accessRequests(let open)) = await fixture.ask(.accessRequests(status: "open"), as: Self.schoolA),
              case .records(.accessRequests(let late)) = await fixture.ask(.accessRequests(status: "overdue"), as: Self.schoolA)
        else {
            Issue.record("school A should list its requests")
            return
        }
        #expect(Set(open.map(\.request)) == [overdue.request, fresh.request])
        #expect(late.map(\.request) == [overdue.request])
        #expect(open.allSatisfy { $0.school == "77-1234" })
        // Another school sees none of them, cannot answer them.
        #expect(await fixture.ask(.accessRequests(status: "open"), as: Self.schoolB) == .records(.accessRequests([])))
        #expect(await fixture.ask(.answerAccessRequest(request: overdue.request), as: Self.schoolB) == .refused(code: "request-not-found"))
        // The compliance officer oversees the register of every school (tokens, schools, deadlines),
        // but neither registers nor answers a request, nor reads the data held.
        guard case .records(.accessRequests(let overseen)) = await fixture.ask(.accessRequests(status: "open"), as: Self.officer),
              case .records(.accessRequests(let overseenLate)) = await fixture.ask(.accessRequests(status: "overdue"), as: Self.officer)
        else {
            Issue.record("the compliance officer should list the register")
            return
        }
        #expect(overseen == open)
        #expect(overseenLate.map(\.request) == [overdue.request])
        #expect(overseenLate.map(\.school) == ["77-1234"])
        #expect(await fixture.ask(.answerAccessRequest(request: overdue.request), as: Self.officer) == .refused(code: "request-not-found"))
        #expect(
            await fixture.ask(.registerAccessRequest(pupil: pupils[0], receivedOn: "2025-01-09", requesterKind: "guardian"), as: Self.officer)
                == .refused(code: "pupil-not-found"))

        guard case .records(.accessRequest(let answered)) = await fixture.ask(.answerAccessRequest(request: overdue.request), as: Self.schoolA)
        else {
            Issue.record("school A should answer its request")
            return
        }
        #expect(answered.status == "answered")
        #expect(await fixture.ask(.answerAccessRequest(request: overdue.request), as: Self.schoolA) == .refused(code: "access-request-answered"))
        #expect(await fixture.ask(.accessRequests(status: "overdue"), as: Self.schoolA) == .records(.accessRequests([])))
    }

    @Test("An import with a pupil the school holds already stores nothing and names the row")
    func importRefusal() async throws {
        let fixture = try await Self.fixture()
        defer { Task { await fixture.shutdown() } }
        _ = try await Self.importPupils(fixture, rows: 3)
        guard case .valid(let checked) = PupilImportFile.check(SyntheticImport.file(rows: 5), today: PupilImportFile.today()) else {
            Issue.record("the synthetic file did not pass the check")
            return
        }
        guard case .records(.importRefused(let issues)) = await fixture.ask(.importPupils(checked, today: PupilImportFile.today()), as: Self.schoolA)
        else {
            Issue.record("the import should be refused")
            return
        }
        #expect(Set(issues.map(\.row)) == [2, 3, 4])
        #expect(Set(issues.map(\.code)) == [.duplicatePupil])
        #expect(try await fixture.count("SELECT count(*) FROM vault.subjects WHERE kind = 'pupil'") == 3)
        // A navigator may not import.
        let navigator = DoorCaller(
            role: "navigator", account: "usr_navigatornnnnnnnnnnn", session: "ses_n", organisationKind: "school", organisationID: "77-1234",
            region: "77")
        #expect(await fixture.ask(.importPupils(checked, today: PupilImportFile.today()), as: navigator) == .refused(code: "forbidden"))
    }
}
