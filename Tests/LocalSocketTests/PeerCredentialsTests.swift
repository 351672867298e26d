import Foundation
import LocalSocket
import Logging
import ServiceLifecycle
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The local sockets between bilet's processes answer only the users they allow, as the kernel
/// names them (`SO_PEERCRED`), even when the socket's file permissions were loosened by mistake.
@Suite("Local sockets: peer credentials")
struct PeerCredentialsTests {
    /// Runs an echo server that names the uid of the peer it answers, for `body`.
    func withServer(
        allowedUsers: Set<UInt32> = [], _ body: (String) async throws -> Void
    ) async throws {
        try await withEchoServer(allowedUsers: allowedUsers, answer: { text, uid in "\(text) from \(uid)" }, body)
    }

    @Test("the server's own user is answered, with its uid from the kernel")
    func ownUserIsAnswered() async throws {
        try await withServer { path in
            let answer = try await LocalSocketClient.call(Echo(text: "hello"), expecting: Echo.self, socketPath: path)
            #expect(answer == Echo(text: "hello from \(geteuid())"))
        }
    }

    @Test("the socket's directory is private (0700) and the socket file 0600")
    func permissions() async throws {
        try await withServer { path in
            let directory = (path as NSString).deletingLastPathComponent
            let directoryMode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int
            let socketMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(directoryMode == 0o700)
            #expect(socketMode == 0o600)
        }
    }

    @Test("another user is refused even when the file permissions let it connect")
    func otherUserIsRefused() async throws {
        try #require(geteuid() == 0, "needs root to run a client as nobody")
        try await withServer { path in
            let directory = (path as NSString).deletingLastPathComponent
            // A mistake an operator could make: the socket opened to everyone.
            chmod(directory, 0o755)
            chmod(path, 0o666)
            let script = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.settimeout(20)
                s.connect(sys.argv[1])
                try:
                    s.sendall(b'{"text":"let me in"}\\n')
                    data = s.recv(4096)
                except (BrokenPipeError, ConnectionResetError):
                    data = b''  # the server closed first: refused before the request was sent
                print("answered" if data else "refused")
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "nobody", "--", "/usr/bin/python3", "-c", script, path]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            // Waited for without blocking a thread of the cooperative pool, which the server's own
            // connection task needs to answer (or refuse) the client.
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                process.terminationHandler = { _ in done.resume() }
                do { try process.run() } catch { done.resume() }
            }
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == "refused", "\(text)")
            // The allowed user still is answered.
            let answer = try await LocalSocketClient.call(Echo(text: "still"), expecting: Echo.self, socketPath: path)
            #expect(answer.text.hasPrefix("still from"))
        }
    }

    @Test("nothing answering is a typed error")
    func unreachable() async throws {
        let error = await #expect(throws: LocalSocketError.self) {
            _ = try await LocalSocketClient.call(Echo(text: "x"), expecting: Echo.self, socketPath: "/tmp/bilet-none-\(UUID().uuidString).sock")
        }
        #expect(error?.code == .unreachable)
    }
}
