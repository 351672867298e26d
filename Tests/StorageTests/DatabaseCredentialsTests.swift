import Foundation
import Storage
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Each component's password file: made 0600 once, read only when it is a regular file of this user
/// that nobody else can read, never through a symbolic link.
@Suite("Database credentials")
struct DatabaseCredentialsTests {
    func withDirectory(_ body: (String) throws -> Void) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-cred-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try body(directory)
    }

    @Test("a password is made once, mode 0600, kept by a second call and replaced by a rotation")
    func madeOnceAndKept() throws {
        try withDirectory { directory in
            let credentials = DatabaseCredentials(directory: directory)
            let first = try credentials.ensurePassword(forRole: "bilet_vault")
            #expect(first.created)
            #expect(first.password.count == 43, "256 bits, base64url")
            let mode = try FileManager.default.attributesOfItem(atPath: credentials.path(for: "bilet_vault"))[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let second = try credentials.ensurePassword(forRole: "bilet_vault")
            #expect(!second.created)
            #expect(second.password == first.password)
            #expect(try credentials.password(for: .vault) == first.password)
            let rotated = try credentials.ensurePassword(forRole: "bilet_vault", rotate: true)
            #expect(rotated.created && rotated.password != first.password)
        }
    }

    @Test("a missing, exposed or linked password file is refused with its code")
    func refusals() throws {
        try withDirectory { directory in
            let credentials = DatabaseCredentials(directory: directory)
            let missing = #expect(throws: CredentialsError.self) { try credentials.password(for: .gateway) }
            #expect(missing?.code == .missing)

            _ = try credentials.ensurePassword(forRole: "bilet_gateway")
            chmod(credentials.path(for: "bilet_gateway"), 0o644)
            let exposed = #expect(throws: CredentialsError.self) { try credentials.password(for: .gateway) }
            #expect(exposed?.code == .exposed)

            _ = try credentials.ensurePassword(forRole: "bilet_audit")
            try FileManager.default.createSymbolicLink(
                atPath: credentials.path(for: "bilet_ca"), withDestinationPath: credentials.path(for: "bilet_audit"))
            let linked = #expect(throws: CredentialsError.self) { try credentials.password(for: .ca) }
            #expect(linked?.code == .unreadable)
            #expect(linked.map { !$0.description.contains(try! credentials.password(for: .audit)) } == true)
        }
    }
}
