import Foundation
import ServeTestSupport

/// Stands in for systemd's notification socket (`NOTIFY_SOCKET`): a Unix datagram socket the test
/// owns, bound and read by a small Python process that writes each datagram as a JSON string on a line
/// of its own. (SwiftNIO's datagram channel cannot take a datagram from an unnamed Unix socket, which
/// is what `sd_notify` senders, bilet's included, send from; Python's socket module can.)
struct NotifySocketDouble: Sendable {
    let path: String
    private let reader: BiletProcess

    static let script = """
        import json, socket, sys
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        listener.bind(sys.argv[1])
        print("bound", flush=True)
        while True:
            print(json.dumps(listener.recv(65536).decode()), flush=True)
        """

    /// Binds a fresh socket at `path` and waits until it is bound.
    static func bind(_ path: String) async throws -> NotifySocketDouble {
        let reader = try BiletProcess.start(
            ["-c", script, path], environment: [:], log: URL(fileURLWithPath: path + ".received"),
            executable: URL(fileURLWithPath: "/usr/bin/python3"))
        _ = try await reader.waitForLine(containing: "bound", timeout: .seconds(30))
        return NotifySocketDouble(path: path, reader: reader)
    }

    /// Every datagram received so far, once at least `count` have arrived or `timeout` has passed.
    func received(atLeast count: Int, within timeout: Duration) async -> [String] {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            let lines = ((try? String(contentsOf: reader.log, encoding: .utf8)) ?? "").split(separator: "\n").dropFirst()
            let datagrams = lines.compactMap { try? JSONDecoder().decode(String.self, from: Data($0.utf8)) }
            if datagrams.count >= count || clock.now >= deadline { return datagrams }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops the reader (SIGKILL: the test runner may hand SIGTERM down blocked) and removes the socket.
    func close() {
        if reader.process.isRunning {
            kill(reader.process.processIdentifier, SIGKILL)
            reader.process.waitUntilExit()
        }
        unlink(path)
        try? FileManager.default.removeItem(at: reader.log)
    }
}
