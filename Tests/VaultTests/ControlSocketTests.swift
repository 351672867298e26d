import Foundation
import Logging
import ServiceLifecycle
import Testing
import Tokens
@testable import Vault

/// The local control channel `bilet vault unseal | seal | status` uses: owner-only socket, JSON
/// lines, the same refusals as the API.
@Suite("Vault control socket")
struct ControlSocketTests {
    /// Runs a control server on a fresh socket for the duration of `body`.
    static func withServer(_ vault: Vault, _ body: (String) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("vault/control.sock")
        let server = VaultControlServer(vault: vault, socketPath: path)
        let group = ServiceGroup(services: [server], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: path) {
                try await Task.sleep(for: .milliseconds(10))
            }
            do {
                try await body(path)
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("status, seal and unseal over the socket; a wrong passphrase is refused with its code")
    func lifecycle() async throws {
        let fixture = try await VaultFixture.make()
        let restarted = fixture.secondVault()
        try await Self.withServer(restarted) { (path: String) async throws in
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let directoryMode = try FileManager.default.attributesOfItem(
                atPath: (path as NSString).deletingLastPathComponent)[.posixPermissions] as? Int
            #expect(directoryMode == 0o700)

            let status = try await VaultControlClient.send(.init(operation: .status), socketPath: path)
            #expect(status.ok)
            #expect(status.status?.state == .sealed)

            let wrong = try await VaultControlClient.send(.init(operation: .unseal, passphrase: "wrong"), socketPath: path)
            #expect(!wrong.ok)
            #expect(wrong.error?.code == "vault.wrong_secret")
            #expect(!restarted.isUnsealed)

            let missing = try await VaultControlClient.send(.init(operation: .unseal), socketPath: path)
            #expect(missing.error?.code == "vault.invalid_request")

            let passphrase = String(decoding: fixture.passphrase.bytes, as: UTF8.self)
            let unsealed = try await VaultControlClient.send(.init(operation: .unseal, passphrase: passphrase), socketPath: path)
            #expect(unsealed.ok)
            #expect(unsealed.status?.state == .unsealed)
            #expect(restarted.isUnsealed)

            let sealed = try await VaultControlClient.send(.init(operation: .seal), socketPath: path)
            #expect(sealed.status?.state == .sealed)
            #expect(!restarted.isUnsealed)

            let deadlines = try await VaultControlClient.send(.init(operation: .deadlines), socketPath: path)
            #expect(deadlines.ok)
            #expect(deadlines.deadlines == [])
        }
        await fixture.shutdown()
    }

    @Test("a wrong passphrase on the socket is recorded as auth.failed (vault_unseal), without the secret")
    func failedUnsealAudited() async throws {
        let fixture = try await VaultFixture.make()
        let restarted = fixture.secondVault()
        try await Self.withServer(restarted) { (path: String) async throws in
            let wrong = try await VaultControlClient.send(
                .init(operation: .unseal, passphrase: "synthetic wrong passphrase 4711"), socketPath: path)
            #expect(wrong.error?.code == "vault.wrong_secret")
            // A real key file of another vault (this one is passphrase-sealed) is a wrong secret too.
            let directory = try TemporaryDirectory()
            defer { directory.remove() }
            let otherKey = directory.file("other-master.key")
            try VaultKeyFile.generate(at: otherKey)
            let keyFile = try await VaultControlClient.send(.init(operation: .unseal, keyFile: otherKey), socketPath: path)
            #expect(keyFile.error?.code == "vault.wrong_secret")
        }
        let rows = try await fixture.auditRows(kind: "auth.failed")
        #expect(rows.map(\.actor) == ["admin:control-socket", "admin:control-socket"])
        #expect(try rows.map(AdminAuditTests.payload) == [
            ["method": "vault_unseal", "reason": "wrong_secret"], ["method": "vault_unseal", "reason": "wrong_secret"],
        ])
        #expect(rows.allSatisfy { $0.subject == nil && $0.decision == nil && !$0.payload.contains("4711") && !$0.payload.contains("other-master") })
        #expect(!restarted.isUnsealed)
        await fixture.shutdown()
    }

    @Test("legal hold, retention end, erasure and the destruction register over the socket, audited with the socket's actor")
    func erasureAndHolds() async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(150)
        let pupil = family.pupil.token.rawValue
        try await Self.withServer(fixture.vault) { (path: String) async throws in
            func send(_ request: VaultControlRequest) async throws -> VaultControlResponse {
                try await VaultControlClient.send(request, socketPath: path)
            }
            #expect(try await send(.init(operation: .hold, token: pupil)).ok)
            let held = try await send(.init(operation: .erase, token: pupil, reason: "subject_request"))
            #expect(held.error?.code == "vault.legal_hold")
            #expect(try await send(.init(operation: .release, token: pupil)).ok)

            #expect(try await send(.init(operation: .retention, token: pupil, until: "2031-09-01")).ok)
            let kept = try await fixture.asSuperuser { pool in
                try await pool.query("SELECT retention_until::text FROM vault.subjects WHERE token = \(pupil)").singleValue(String?.self)
            }
            #expect(kept == "2031-09-01")
            #expect(try await send(.init(operation: .deadlines)).deadlines?.map(\.subject) == [family.pupil.token])
            #expect(try await send(.init(operation: .retention, token: pupil, clear: true)).ok)
            #expect(try await send(.init(operation: .deadlines)).deadlines == [])

            let erased = try await send(.init(operation: .erase, token: pupil, reason: "subject_request"))
            #expect(erased.ok)
            #expect(erased.erased == [family.pupil.token, family.guardian])
            #expect(try await send(.init(operation: .erase, token: pupil, reason: "subject_request")).error?.code == "vault.subject_erased")

            let register = try #require(try await send(.init(operation: .register)).register)
            #expect(register.map(\.subject) == [family.guardian, family.pupil.token])
            #expect(register.map(\.reason) == ["pupil_erased", "subject_request"])
            #expect(Set(register.map(\.requestedBy)) == ["admin:control-socket"])
            #expect(Set(register.map(\.method)) == ["crypto_shredding"])
        }
        let rows = try await fixture.auditRows().filter {
            ["legal_hold.changed", "retention.changed", "subject.erased"].contains($0.kind)
        }
        #expect(rows.map(\.kind) == [
            "legal_hold.changed", "legal_hold.changed", "retention.changed", "retention.changed", "subject.erased", "subject.erased",
        ])
        #expect(rows.map(\.subject) == [pupil, pupil, pupil, pupil, pupil, family.guardian.rawValue])
        #expect(Set(rows.map(\.actor)) == ["admin:control-socket"])
        #expect(try rows.prefix(4).map { try AdminAuditTests.payload($0)["change"] } == ["set", "cleared", "set", "cleared"])
        #expect(try AdminAuditTests.payload(rows[4])["reason"] == AnyHashable("subject_request"))
        #expect(!rows.contains { $0.payload.contains("2031") })
        await fixture.shutdown()
    }

    enum BadRequest: String, CaseIterable {
        case eraseWithoutToken, eraseWithoutReason, eraseAsPupilErased, eraseUnknownReason, holdMalformedToken
        case holdUnknownSubject, retentionNotADate, retentionBoth, retentionNeither
    }

    @Test("malformed erasure, hold and retention requests are refused with their code", arguments: BadRequest.allCases)
    func badRequests(_ bad: BadRequest) async throws {
        let fixture = try await VaultFixture.make()
        let family = try await fixture.family(151)
        let pupil = family.pupil.token.rawValue
        let unknown = try SubjectToken(entropy: Array(repeating: 7, count: 16)).rawValue
        let (request, expected): (VaultControlRequest, String) = switch bad {
        case .eraseWithoutToken: (.init(operation: .erase, reason: "subject_request"), "vault.invalid_request")
        case .eraseWithoutReason: (.init(operation: .erase, token: pupil), "vault.invalid_request")
        case .eraseAsPupilErased: (.init(operation: .erase, token: pupil, reason: "pupil_erased"), "vault.invalid_request")
        case .eraseUnknownReason: (.init(operation: .erase, token: pupil, reason: "because"), "vault.invalid_request")
        case .holdMalformedToken: (.init(operation: .hold, token: "not-a-token"), "vault.invalid_request")
        case .holdUnknownSubject: (.init(operation: .hold, token: unknown), "vault.unknown_subject")
        case .retentionNotADate: (.init(operation: .retention, token: pupil, until: "2031-02-30"), "vault.invalid_request")
        case .retentionBoth: (.init(operation: .retention, token: pupil, until: "2031-09-01", clear: true), "vault.invalid_request")
        case .retentionNeither: (.init(operation: .retention, token: pupil), "vault.invalid_request")
        }
        try await Self.withServer(fixture.vault) { (path: String) async throws in
            let response = try await VaultControlClient.send(request, socketPath: path)
            #expect(!response.ok)
            #expect(response.error?.code == expected)
        }
        #expect(try await fixture.auditRows().filter { ["legal_hold.changed", "retention.changed", "subject.erased"].contains($0.kind) }.isEmpty)
        #expect(try await fixture.vault.destructionRegister().isEmpty)
        await fixture.shutdown()
    }

    @Test("a second server on the same socket refuses to start")
    func secondServerRefused() async throws {
        let fixture = try await VaultFixture.make()
        try await Self.withServer(fixture.vault) { (path: String) async throws in
            let second = VaultControlServer(vault: fixture.vault, socketPath: path)
            let error = await #expect(throws: VaultError.self) { try await second.run() }
            #expect(error?.code == .controlSocket)
            #expect(try await VaultControlClient.send(.init(operation: .status), socketPath: path).ok)
        }
        await fixture.shutdown()
    }

    @Test("nothing listening is a clear error")
    func nothingListening() async throws {
        let error = await #expect(throws: VaultError.self) {
            try await VaultControlClient.send(.init(operation: .status), socketPath: "/tmp/bilet-no-such-socket-\(UUID().uuidString)")
        }
        #expect(error?.code == .controlSocket)
    }

    @Test("garbage on the socket gets an invalid-request answer")
    func garbage() async throws {
        let fixture = try await VaultFixture.make()
        try await Self.withServer(fixture.vault) { (path: String) async throws in
            let response = await VaultControlServer(vault: fixture.vault, socketPath: path).handle(.init(operation: .unseal))
            #expect(response.error?.code == "vault.invalid_request")
        }
        await fixture.shutdown()
    }

    @Test("the request's description never shows the passphrase")
    func requestDescription() {
        let request = VaultControlRequest(operation: .unseal, passphrase: "synthetic secret")
        #expect(request.description == "VaultControlRequest(unseal, passphrase)")
    }
}
