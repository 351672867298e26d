import Foundation
import Storage
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The way `pg_dump` and `pg_restore` run: posix_spawn, a pipe to the caller, exactly the
/// environment given, and no descriptor of bilet's beyond the three standard ones.
@Suite("A piped child gets its pipe, its environment and nothing else of the caller's")
struct PipedChildTests {
    static func messagesPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("bilet-piped-\(UUID().uuidString).log").path
    }

    @Test("draining: the child's output comes through the pipe; a descriptor the caller left inheritable is not the child's")
    func drainingClosesInheritedDescriptors() throws {
        // A descriptor opened without close-on-exec, as a library might leave one.
        let leaked = open("/dev/null", O_RDONLY)
        try #require(leaked > 2)
        defer { close(leaked) }
        let messages = Self.messagesPath()
        defer { try? FileManager.default.removeItem(atPath: messages) }
        let child = try CommandRunner.spawnPiped(
            "/bin/sh", ["-c", "printf '%s ' /proc/self/fd/*; echo \"$BILET_PIPED_TEST\"; echo oops >&2"],
            environment: ["BILET_PIPED_TEST": "only-this", "PATH": "/usr/bin:/bin"], direction: .draining,
            messagesPath: messages)
        var output: [UInt8] = []
        while true {
            let bytes = try child.read(upToCount: 4096)
            if bytes.isEmpty { break }
            output += bytes
        }
        #expect(child.wait() == 0)
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.hasSuffix("only-this\n"), "\(text)")
        // The shell's own descriptors: 0, 1, 2 and the one the glob reads the directory with.
        let descriptors = text.split(separator: " ").dropLast().compactMap { Int32($0.split(separator: "/").last ?? "") }
        #expect(descriptors.contains(0) && descriptors.contains(1) && descriptors.contains(2))
        #expect(!descriptors.contains(leaked), "\(text)")
        #expect(try String(contentsOfFile: messages, encoding: .utf8) == "oops\n")
        let mode = try FileManager.default.attributesOfItem(atPath: messages)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test("feeding: what the caller writes is the child's input; a failing child's status is reported")
    func feeding() throws {
        let messages = Self.messagesPath()
        defer { try? FileManager.default.removeItem(atPath: messages) }
        let child = try CommandRunner.spawnPiped(
            "/bin/sh", ["-c", "read line; test \"$line\" = fed; exit 3"], environment: ["PATH": "/usr/bin:/bin"],
            direction: .feeding, messagesPath: messages)
        try child.write(Array("fed\n".utf8))
        child.closePipe()
        #expect(child.wait() == 3)
    }
}
