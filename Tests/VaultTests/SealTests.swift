import Foundation
import Policy
import PostgreSQL
import Testing
import Tokens
@testable import Vault

/// Seal and unseal: a vault starts sealed and refuses personal-data operations until unsealed with
/// the right passphrase or key file; sealing drops the keys at once.
@Suite("Seal and unseal")
struct SealTests {
    @Test("a new vault object over an initialised database starts sealed and refuses until unsealed")
    func startsSealed() async throws {
        let fixture = try await VaultFixture.make()
        let token = try await fixture.vault.createDirectly(
            .pupil(school: Synthetic.school, region: Synthetic.region, values: Synthetic.pupilValues(20)))
        let restarted = fixture.secondVault()
        #expect(!restarted.isUnsealed)
        #expect(try await restarted.status().state == .sealed)
        let error = await #expect(throws: VaultError.self) { try await restarted.decryptDirectly(token, fields: [.surname]) }
        #expect(error?.code == .sealed)

        try await restarted.unseal(with: .passphrase(fixture.passphrase), by: "admin:test")
        #expect(try await restarted.status().state == .unsealed)
        let values = try await restarted.decryptDirectly(token, fields: [.surname])
        #expect(values[.surname]?.exposedText == "Примерова\(Synthetic.marker(20))")
        await fixture.shutdown()
    }

    @Test("a wrong passphrase is refused clearly and leaves the vault sealed")
    func wrongPassphrase() async throws {
        let fixture = try await VaultFixture.make()
        let restarted = fixture.secondVault()
        let error = await #expect(throws: VaultError.self) {
            try await restarted.unseal(with: .passphrase(Passphrase("not the passphrase")), by: "admin:test")
        }
        #expect(error?.code == .wrongSecret)
        #expect(error?.description == "vault.wrong_secret: the passphrase does not open this vault")
        #expect(!restarted.isUnsealed)
        await fixture.shutdown()
    }

    @Test("an empty passphrase is refused")
    func emptyPassphrase() async throws {
        let fixture = try await VaultFixture.make()
        let error = await #expect(throws: VaultError.self) {
            try await fixture.secondVault().unseal(with: .passphrase(Passphrase("")), by: "admin:test")
        }
        #expect(error?.code == .passphraseRejected)
        await fixture.shutdown()
    }

    @Test("seal drops the keys at once; unseal brings them back")
    func emergencySeal() async throws {
        let fixture = try await VaultFixture.make()
        let token = try await fixture.vault.createDirectly(
            .pupil(school: Synthetic.school, region: Synthetic.region, values: Synthetic.pupilValues(21)))
        #expect(try await fixture.vault.seal(by: "admin:test"))
        #expect(try await !fixture.vault.seal(by: "admin:test"))
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.decryptDirectly(token, fields: [.grade]) }
        #expect(error?.code == .sealed)
        try await fixture.vault.unseal(with: .passphrase(fixture.passphrase), by: "admin:test")
        #expect(try await fixture.vault.decryptDirectly(token, fields: [.grade])[.grade]?.exposedText == "9")
        await fixture.shutdown()
    }

    @Test("an uninitialised vault says so; initialising twice is refused")
    func initialisation() async throws {
        let fixture = try await VaultFixture.make(initialise: false)
        #expect(try await fixture.vault.status().state == .uninitialised)
        let error = await #expect(throws: VaultError.self) { try await fixture.vault.unseal(with: .passphrase(fixture.passphrase), by: "admin:test") }
        #expect(error?.code == .notInitialised)
        try await fixture.vault.initialize(with: .passphrase(fixture.passphrase), by: "admin:test")
        let status = try await fixture.vault.status()
        #expect(status.state == .unsealed)
        #expect(status.method == "passphrase")
        #expect(status.currentKEKVersion == 1)
        let again = await #expect(throws: VaultError.self) { try await fixture.vault.initialize(with: .passphrase(fixture.passphrase), by: "admin:test") }
        #expect(again?.code == .alreadyInitialised)
        await fixture.shutdown()
    }

    @Test("a key file opens the vault; another key file, or the passphrase method, does not")
    func keyFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fixture = try await VaultFixture.make(initialise: false)
        let path = directory.file("master.key")
        try KeyFile.generate(at: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try await fixture.vault.initialize(with: .keyFile(path: path), by: "admin:test")
        let token = try await fixture.vault.createDirectly(
            .pupil(school: Synthetic.school, region: Synthetic.region, values: Synthetic.pupilValues(22)))

        let restarted = fixture.secondVault()
        try await restarted.unseal(with: .keyFile(path: path), by: "admin:test")
        #expect(try await restarted.decryptDirectly(token, fields: [.snils])[.snils]?.exposedText == Synthetic.snils(22))

        let other = directory.file("other.key")
        try KeyFile.generate(at: other)
        let wrongFile = await #expect(throws: VaultError.self) { try await fixture.secondVault().unseal(with: .keyFile(path: other), by: "admin:test") }
        #expect(wrongFile?.code == .wrongSecret)
        let wrongMethod = await #expect(throws: VaultError.self) {
            try await fixture.secondVault().unseal(with: .passphrase(fixture.passphrase), by: "admin:test")
        }
        #expect(wrongMethod?.code == .wrongSecret)
        await fixture.shutdown()
    }

    enum BadKeyFile: String, CaseIterable, Sendable {
        case groupReadable, worldReadable, missing, tooShort, notHex, directory, symbolicLink
    }

    @Test("unsafe or malformed key files are refused", arguments: BadKeyFile.allCases)
    func badKeyFile(kind: BadKeyFile) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let hex = Array(String(repeating: "ab", count: 32).utf8)
        let path: String
        switch kind {
        case .groupReadable: path = try directory.write("k", hex, mode: 0o640)
        case .worldReadable: path = try directory.write("k", hex, mode: 0o604)
        case .missing: path = directory.file("absent")
        case .tooShort: path = try directory.write("k", Array(hex.prefix(40)), mode: 0o600)
        case .notHex: path = try directory.write("k", Array(String(repeating: "zz", count: 32).utf8), mode: 0o600)
        case .directory: path = directory.path
        case .symbolicLink:
            let target = try directory.write("target", hex, mode: 0o600)
            path = directory.file("link")
            try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        }
        let error = #expect(throws: VaultError.self) { try KeyFile.read(path: path) }
        #expect(error?.code == .keyFileRejected)
    }

    @Test("a key file of 32 raw bytes or 64 hex digits with a newline is accepted")
    func keyFileForms() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let raw = try directory.write("raw", Array(repeating: 0xAB, count: 32), mode: 0o600)
        let hex = try directory.write("hex", Array((String(repeating: "aB", count: 32) + "\n").utf8), mode: 0o400)
        #expect(try KeyFile.read(path: raw) == KeyFile.read(path: hex))
    }

    @Test("passphrases and personal values never print")
    func redaction() {
        let passphrase = Passphrase("synthetic secret passphrase")
        let value = PersonalValue("Примерова")
        var dumped = ""
        dump(passphrase, to: &dumped)
        dump(value, to: &dumped)
        dumped += "\(passphrase) \(value) \(String(reflecting: value)) \(UnsealSecret.passphrase(passphrase))"
        dumped += "\(FieldValue.plain(value)) \(FieldValue.masked(value, .initial))"
        let data = SubjectData(
            reference: .subject(try! SubjectToken(entropy: Array(repeating: 1, count: 16))), fields: [.surname: .plain(value)],
            consent: try! ConsentToken(entropy: Array(repeating: 2, count: 16)),
            policyVersion: PolicyVersion(algorithm: "sha256", digest: String(repeating: "0", count: 64)))
        dump(data, to: &dumped)
        dump(ReadOutcome.released(data), to: &dumped)
        dumped += "\(data) \(String(reflecting: data)) \(ReadOutcome.released(data))"
        #expect(!dumped.contains("synthetic secret"))
        #expect(!dumped.contains("Примерова"))
    }
}
