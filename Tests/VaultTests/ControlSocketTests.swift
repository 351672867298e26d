import Foundation
import Logging
import ServiceLifecycle
import Testing
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
