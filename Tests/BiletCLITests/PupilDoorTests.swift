import Audit
import DatabaseTestSupport
import Foundation
import LocalSocket
import Logging
import Policy
import PostgreSQL
import ServiceLifecycle
import Settings
import Storage
import Testing
import Vault
import VaultDoor
@testable import Platform

/// The vault's door for pupils, as the gateway reaches it: the real door server
/// (``VaultDoorService``) on a Unix socket, the pooled ``VaultDoorClient``, a real vault on a fresh
/// database. Refusal codes are what the gateway may see, and another school's pupil answers exactly
/// as an unknown token does.
@Suite("Pupil door: refusal codes and the cross-school 404")
struct PupilDoorTests {
    static let repositoryRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let schoolA = DoorCaller(
        role: "school", account: "usr_school_a", session: "ses_a", organisationKind: "school", organisationID: "77-0001", region: "77",
        certificateSerial: "0a")
    static let schoolB = DoorCaller(
        role: "school", account: "usr_school_b", session: "ses_b", organisationKind: "school", organisationID: "77-0002", region: "77",
        certificateSerial: "0b")
    static let coordinator = DoorCaller(
        role: "regional_coordinator", account: "usr_coord", session: "ses_c", organisationKind: "region", organisationID: "77",
        region: "77", certificateSerial: "0c")

    static func form(_ seed: Int, snils: String) -> PupilRegistrationForm {
        let marker = String(String(seed).compactMap(\.wholeNumberValue).map { Array("абвгдежзик")[$0] })
        return PupilRegistrationForm(
            pupil: [
                "surname": "Дверева\(marker)", "first_name": "Проба\(marker)", "birth_date": "2011-05-20", "grade": "9",
                "snils": snils,
            ],
            guardian: ["surname": "Дверева\(marker)", "first_name": "Мама", "relation": "mother", "phone": "+7 900 555-00-\(seed % 100)"],
            consentNumber: "D-\(seed)", consentSignedOn: "2025-09-01", pupilAlsoSigned: true)
    }

    /// A vault (key-file method, unsealed) and its door server, for `body`.
    func withDoor(_ body: (VaultDoorClient, PostgresConnectionPool) async throws -> Void) async throws {
        let database = try await TestPostgres.makeDatabase(migrated: true)
        let pool = database.components(maxConnectionsPerComponent: 4).makePool(for: .vault)
        let superuser = PostgresConnectionPool(configuration: database.configuration, maxConnections: 1)
        let policies = try PolicyStore(directory: Self.repositoryRoot + "/policies", hasher: SHA256VersionHasher())
        let vault = Vault(pool: pool, policies: policies, audit: AuditLog())
        let directory = "/tmp/bilet-door-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try VaultKeyFile.generate(at: directory + "/master.key")
        try await vault.initialize(with: .keyFile(path: directory + "/master.key"), by: "admin:test")
        var settings = VaultSettings()
        settings.doorSocket = directory + "/door/door.sock"
        let progress = StartupProgress(expecting: [VaultDoorService.part])
        let server = try VaultDoorService.make(settings, vault: vault, progress: progress, logger: Logger(label: "test.door"))
        let group = ServiceGroup(services: [server], logger: Logger(label: "test.door"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while !(await LocalSocketReady.answering(settings.doorSocket)) { try await Task.sleep(for: .milliseconds(20)) }
            try await body(VaultDoorClient(socketPath: settings.doorSocket), superuser)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        await pool.shutdown()
        await superuser.shutdown()
    }

    func register(_ door: VaultDoorClient, _ form: PupilRegistrationForm, as caller: DoorCaller) async throws -> VaultDoorResponse {
        try await door.call(.pupils(.register(form), caller: caller))
    }

    @Test("register, read, correct and search as school A; school B and an unknown token get the same 404")
    func crossSchool() async throws {
        try await withDoor { door, superuser in
            guard case .pupils(.registered(let token, let guardian, _)) = try await register(door, Self.form(1, snils: "112-233-445 95"), as: Self.schoolA)
            else { Issue.record("not registered"); return }
            let read = try await door.call(.pupils(.read(token: token, fields: ["surname", "grade"], purpose: "enrolment", request: nil), caller: Self.schoolA))
            #expect(read == .pupils(.card(token: token, fields: ["surname": "Двереваб", "grade": "9"])))
            let corrected = try await door.call(.pupils(.correct(token: token, fields: ["grade": "10"]), caller: Self.schoolA))
            #expect(corrected == .pupils(.corrected(token: token, fields: ["grade"])))
            let found = try await door.call(.pupils(.search(.name(surname: "ДВЕРЕВАБ", firstName: "Пробаб", birthDate: "2011-05-20")), caller: Self.schoolA))
            #expect(found == .pupils(.found([token])))

            // School B: its read, correction and search of A's pupil look exactly like an unknown token's.
            let unknown = "sub_" + String(repeating: "A", count: 22)
            // A guardian's token is not a pupil's: the same 404, for school A (whose guardian it is) and B alike.
            for caller in [Self.schoolA, Self.schoolB] {
                let answer = try await door.call(.pupils(.read(token: guardian, fields: [], purpose: "enrolment", request: nil), caller: caller))
                #expect(answer == .refused(code: "pupil-not-found"), "\(caller.organisationID ?? ""): \(answer)")
                let write = try await door.call(.pupils(.correct(token: guardian, fields: ["grade": "11"]), caller: caller))
                #expect(write == .refused(code: "pupil-not-found"), "\(caller.organisationID ?? ""): \(write)")
            }
            for target in [token, unknown, "not-a-token"] {
                let answer = try await door.call(.pupils(.read(token: target, fields: [], purpose: "enrolment", request: nil), caller: Self.schoolB))
                #expect(answer == .refused(code: "pupil-not-found"))
                let write = try await door.call(.pupils(.correct(token: target, fields: ["grade": "11"]), caller: Self.schoolB))
                #expect(write == .refused(code: "pupil-not-found"))
            }
            let theirSearch = try await door.call(.pupils(.search(.snils("112-233-445 95")), caller: Self.schoolB))
            #expect(theirSearch == .pupils(.found([])))
            // The refused attempts are audited: B's read of A's pupil and B's search that located it are
            // pii.read denies naming it; B's correction a pii.written deny.
            let denied = try await superuser.query(
                "SELECT count(*) FROM audit.events WHERE kind = 'pii.read' AND decision = 'deny' AND subject = \(token) AND actor = 'user:usr_school_b'"
            ).singleValue(Int.self)
            #expect(denied == 2)
            let refusedWrite = try await superuser.query(
                "SELECT count(*) FROM audit.events WHERE kind = 'pii.written' AND decision = 'deny' AND subject = \(token) AND actor = 'user:usr_school_b'"
            ).singleValue(Int.self)
            #expect(refusedWrite == 1)
        }
    }

    @Test("refusal codes: duplicate at the same school, fields not granted, bad values, unknown fields, a role without the right")
    func refusalCodes() async throws {
        try await withDoor { door, _ in
            guard case .pupils(.registered(let token, _, _)) = try await register(door, Self.form(2, snils: "112-233-445 95"), as: Self.schoolA)
            else { Issue.record("not registered"); return }
            #expect(try await register(door, Self.form(3, snils: "112-233-445 95"), as: Self.schoolA) == .refused(code: "duplicate-pupil"))
            // Another school registering the same child is answered like a success.
            guard case .pupils(.registered) = try await register(door, Self.form(2, snils: "112-233-445 95"), as: Self.schoolB) else {
                Issue.record("the other school's duplicate was not answered as a registration"); return
            }
            let snils = try await door.call(.pupils(.read(token: token, fields: ["snils"], purpose: "enrolment", request: nil), caller: Self.schoolA))
            #expect(snils == .refused(code: "fields-not-granted"))
            let unknownField = try await door.call(.pupils(.read(token: token, fields: ["shoe_size"], purpose: "enrolment", request: nil), caller: Self.schoolA))
            #expect(unknownField == .refused(code: "unknown-field"))
            let badValue = try await door.call(.pupils(.correct(token: token, fields: ["birth_date": "20.05.2011x"]), caller: Self.schoolA))
            #expect(badValue == .refused(code: "invalid-value"))
            // The pupil's school and region are the caller's, never values the client gives.
            var elsewhere = Self.form(6, snils: "")
            elsewhere.pupil["snils"] = nil
            elsewhere.pupil["school"] = "77-0002"
            #expect(try await register(door, elsewhere, as: Self.schoolA) == .refused(code: "unknown-field"))
            elsewhere.pupil["school"] = nil
            elsewhere.pupil["region"] = "50"
            #expect(try await register(door, elsewhere, as: Self.schoolA) == .refused(code: "unknown-field"))
            for field in ["school", "region"] {
                let moved = try await door.call(.pupils(.correct(token: token, fields: [field: "77-0002"]), caller: Self.schoolA))
                #expect(moved == .refused(code: "unknown-field"), "\(field): \(moved)")
            }
            // A request longer than the door reads is refused before it is sent (the door would drop
            // the connection, and the gateway answer 503 as if the vault were down).
            let oversized = await #expect(throws: LocalSocketError.self) {
                // JSON escapes each "/": half the limit in slashes is just over it once encoded.
                let slashes = String(repeating: "/", count: VaultDoorClient.maximumRequestBytes / 2 + 1)
                _ = try await door.call(.pupils(.correct(token: token, fields: ["surname": slashes]), caller: Self.schoolA))
            }
            #expect(oversized?.code == .requestTooLarge)
            #expect(try await door.call(.pupils(.read(token: token, fields: ["grade"], purpose: "enrolment", request: nil), caller: Self.schoolA))
                == .pupils(.card(token: token, fields: ["grade": "9"])))
            let badSnils = try await door.call(.pupils(.search(.snils("123")), caller: Self.schoolA))
            #expect(badSnils == .refused(code: "invalid-value"))
            var noConsent = Self.form(4, snils: "")
            noConsent.pupil["snils"] = nil
            noConsent.pupilAlsoSigned = false
            #expect(try await register(door, noConsent, as: Self.schoolA) == .refused(code: "invalid-consent"))
            var coordinatorForm = Self.form(5, snils: "")
            coordinatorForm.pupil["snils"] = nil
            #expect(try await register(door, coordinatorForm, as: Self.coordinator) == .refused(code: "forbidden"))
            let coordinatorRead = try await door.call(.pupils(.read(token: token, fields: [], purpose: "enrolment", request: nil), caller: Self.coordinator))
            #expect(coordinatorRead == .refused(code: "pupil-not-found"))

            // The coordinator sees the case (schools only) and resolves it; school A cannot.
            guard case .pupils(.duplicates(let cases)) = try await door.call(.pupils(.duplicates, caller: Self.coordinator)) else {
                Issue.record("no duplicate list"); return
            }
            #expect(cases.map(\.schools) == [["77-0002", "77-0001"]])
            #expect(try await door.call(.pupils(.duplicates, caller: Self.schoolA)) == .refused(code: "forbidden"))
            let reference = try #require(cases.first?.reference)
            #expect(try await door.call(.pupils(.resolveDuplicate(reference: reference, decision: "maybe"), caller: Self.coordinator)) == .refused(code: "invalid-request"))
            #expect(try await door.call(.pupils(.resolveDuplicate(reference: reference, decision: "same"), caller: Self.schoolA)) == .refused(code: "case-not-found"))
            #expect(try await door.call(.pupils(.resolveDuplicate(reference: reference, decision: "same"), caller: Self.coordinator)) == .pupils(.done))
            #expect(try await door.call(.pupils(.resolveDuplicate(reference: reference, decision: "same"), caller: Self.coordinator)) == .refused(code: "case-resolved"))
        }
    }

    @Test("a pupil's own account: the school confirms its own pupil with a self_service consent; the pupil reads only their own card")
    func pupilsOwnAccount() async throws {
        try await withDoor { door, superuser in
            var form = Self.form(6, snils: "112-233-445 95")
            form.otherPurposes = ["self_service"]
            var otherForm = Self.form(7, snils: "")
            otherForm.pupil["snils"] = nil
            guard case .pupils(.registered(let token, _, _)) = try await register(door, form, as: Self.schoolA),
                case .pupils(.registered(let other, _, _)) = try await register(door, otherForm, as: Self.schoolA)
            else { Issue.record("not registered"); return }
            #expect(try await door.call(.pupils(.confirmAccount(token: token), caller: Self.schoolA)) == .pupils(.done))
            // No self_service consent on the other pupil's form; another school's and unknown tokens alike.
            #expect(try await door.call(.pupils(.confirmAccount(token: other), caller: Self.schoolA)) == .refused(code: "consent-missing"))
            for target in [token, "sub_" + String(repeating: "A", count: 22), "not-a-token"] {
                #expect(try await door.call(.pupils(.confirmAccount(token: target), caller: Self.schoolB)) == .refused(code: "pupil-not-found"))
            }
            #expect(try await door.call(.pupils(.confirmAccount(token: token), caller: Self.coordinator)) == .refused(code: "pupil-not-found"))
            let audited = try await superuser.query(
                "SELECT count(*) FILTER (WHERE decision = 'permit'), count(*) FILTER (WHERE decision = 'deny') FROM audit.events WHERE kind = 'policy.decided' AND subject = \(token)")
            #expect(try audited.first?.decode(Int.self, at: 0) == 1)
            #expect(try audited.first?.decode(Int.self, at: 1) == 2)

            let pupil = DoorCaller(
                role: "pupil", account: "usr_pupil", session: "ses_p", organisationKind: "school", organisationID: "77-0001", region: "77",
                pupil: token)
            let own = try await door.call(.pupils(.read(token: token, fields: ["surname", "grade"], purpose: "self_service", request: nil), caller: pupil))
            #expect(own == .pupils(.card(token: token, fields: ["surname": "Двереваж", "grade": "9"])))
            let theirs = try await door.call(.pupils(.read(token: other, fields: ["surname"], purpose: "self_service", request: nil), caller: pupil))
            #expect(theirs == .refused(code: "pupil-not-found"))
            let asSchool = try await door.call(.pupils(.read(token: other, fields: ["surname"], purpose: "enrolment", request: nil), caller: pupil))
            #expect(asSchool == .refused(code: "pupil-not-found"))
            #expect(try await door.call(.pupils(.confirmAccount(token: other), caller: pupil)) == .refused(code: "pupil-not-found"))
            #expect(try await door.call(.pupils(.correct(token: other, fields: ["grade": "11"]), caller: pupil)) == .refused(code: "pupil-not-found"))
        }
    }
}

/// Whether a local socket answers yet.
enum LocalSocketReady {
    static func answering(_ path: String) async -> Bool {
        await LocalSocketClient.isAnswering(socketPath: path)
    }
}
