import Foundation
import Policy
import Testing

@Suite("Live reload")
struct PolicyStoreTests {
    static let allowRead = #"@id("read") permit (principal is clerk, action == read, resource is record);"#
    static let allowWrite = #"@id("write") permit (principal is clerk, action == write, resource is record);"#

    /// A temporary policy directory holding the mini schema and `allowRead` (the caller removes it).
    static func policyDirectory() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("policy-reload-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try miniSchema.write(toFile: directory + "/s.schema", atomically: true, encoding: .utf8)
        try allowRead.write(toFile: directory + "/p.policy", atomically: true, encoding: .utf8)
        return directory
    }

    func sources(_ policy: String) -> [SourceFile] {
        [SourceFile(path: "s.schema", text: miniSchema), SourceFile(path: "p.policy", text: policy)]
    }

    @Test("a valid set is swapped in; decisions carry the new version")
    func validReload() async throws {
        let store = PolicyStore(
            initial: try PolicySet.compile(sources(Self.allowRead), hasher: SHA256VersionHasher()),
            hasher: SHA256VersionHasher())
        let none = InMemoryRelationships()
        let before = store.current.version
        #expect(await store.decide(request(), relationships: none).effect == .allow)
        #expect(await store.decide(request(action: "write"), relationships: none).effect == .deny)

        let outcome = try store.reload(sources: sources(Self.allowWrite))
        #expect(outcome.previousVersion == before)
        #expect(outcome.currentVersion == store.current.version)
        #expect(outcome.changed)
        let write = await store.decide(request(action: "write"), relationships: none)
        #expect(write.effect == .allow)
        #expect(write.policyVersion == outcome.currentVersion)
        #expect(await store.decide(request(), relationships: none).effect == .deny)

        let same = try store.reload(sources: sources(Self.allowWrite))
        #expect(!same.changed)
    }

    @Test("prepare validates without swapping; commit swaps; a candidate older than a set already in force is refused")
    func prepareThenCommit() async throws {
        let directory = try Self.policyDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try PolicyStore(directory: directory, hasher: SHA256VersionHasher())
        let initial = store.current.version

        try Self.allowWrite.write(toFile: directory + "/p.policy", atomically: true, encoding: .utf8)
        let older = try store.prepare(from: directory)
        #expect(older.version != initial)
        #expect(store.current.version == initial)  // validated, not in force

        // A reload that started later wins; the older candidate can no longer overwrite it.
        try (Self.allowRead + "\n" + Self.allowWrite.replacingOccurrences(of: "\"write\"", with: "\"write2\""))
            .write(toFile: directory + "/p.policy", atomically: true, encoding: .utf8)
        let newer = try store.prepare(from: directory)
        let outcome = try #require(store.commit(newer))
        #expect(outcome.previousVersion == initial)
        #expect(outcome.currentVersion == newer.version)
        #expect(store.commit(older) == nil)
        #expect(store.current.version == newer.version)

        // A plain reload issues a later ticket too: a candidate prepared before it is refused.
        let stale = try store.prepare(from: directory)
        try Self.allowRead.write(toFile: directory + "/p.policy", atomically: true, encoding: .utf8)
        try store.reload(from: directory)
        #expect(store.commit(stale) == nil)
        #expect(store.current.version == initial)

        // An invalid directory is refused by prepare with its diagnostics, and nothing changes.
        try "permit (principal is clark, action, resource is record);".write(toFile: directory + "/p.policy", atomically: true, encoding: .utf8)
        #expect(throws: PolicyLoadError.self) { try store.prepare(from: directory) }
        #expect(store.current.version == initial)
    }

    @Test("an invalid set keeps the old one and says why")
    func invalidReload() async throws {
        let store = PolicyStore(
            initial: try PolicySet.compile(sources(Self.allowRead), hasher: SHA256VersionHasher()),
            hasher: SHA256VersionHasher())
        let before = store.current.version
        do {
            try store.reload(sources: sources(#"@id("x") permit (principal is clark, action, resource is record);"#))
            Issue.record("an invalid set was accepted")
        } catch {
            #expect(error.diagnostics.map(\.code) == [.unknownRole])
            #expect(error.diagnostics.first?.location == SourceLocation(file: "p.policy", line: 1, column: 31))
        }
        #expect(store.current.version == before)
        #expect(await store.decide(request(), relationships: InMemoryRelationships()).effect == .allow)
    }

    @Test("reload from a directory: a broken file on disk keeps the old set")
    func reloadFromDirectory() async throws {
        let directory = try Self.policyDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try PolicyStore(directory: directory, hasher: SHA256VersionHasher())
        let first = store.current.version

        try "@id(\"broken\") permit (".write(toFile: directory + "/p.policy", atomically: true, encoding: .utf8)
        #expect(throws: PolicyLoadError.self) { try store.reload(from: directory) }
        #expect(store.current.version == first)

        try Self.allowWrite.write(toFile: directory + "/p.policy", atomically: true, encoding: .utf8)
        let outcome = try store.reload(from: directory)
        #expect(outcome.previousVersion == first)
        #expect(store.current.rules.map(\.id) == ["write"])

        #expect(throws: PolicyLoadError.self) { try store.reload(from: directory + "/missing") }
        #expect(store.current.rules.map(\.id) == ["write"])
    }

    /// SHA-256, but blocks on sources holding `// slow` until released: a reload that takes long.
    final class GatedHasher: PolicyVersionHasher, @unchecked Sendable {
        let entered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)

        func version(of bytes: [UInt8]) -> PolicyVersion {
            if String(decoding: bytes, as: UTF8.self).contains("// slow") {
                entered.signal()
                release.wait()
            }
            return SHA256VersionHasher().version(of: bytes)
        }
    }

    @Test("reloads take effect in the order they started: a slow reload of older files never overwrites a newer set")
    func reloadsInOrder() throws {
        let hasher = GatedHasher()
        let store = PolicyStore(
            initial: try PolicySet.compile(sources(Self.allowRead), hasher: SHA256VersionHasher()), hasher: hasher)
        let older = sources(Self.allowRead + "\n// slow")
        let newer = sources(Self.allowWrite)
        let doneOlder = DispatchSemaphore(value: 0)
        let doneNewer = DispatchSemaphore(value: 0)
        Thread {
            _ = try? store.reload(sources: older)
            doneOlder.signal()
        }.start()
        hasher.entered.wait()  // the older reload is compiling
        Thread {
            _ = try? store.reload(sources: newer)
            doneNewer.signal()
        }.start()
        Thread.sleep(forTimeInterval: 0.2)  // without ordering, the newer reload would finish here
        hasher.release.signal()
        doneOlder.wait()
        doneNewer.wait()
        #expect(store.current.rules.map(\.id) == ["write"])
    }

    @Test("decisions running during reloads see one whole set, old or new, never a mix")
    func concurrentReloads() async throws {
        let a = try PolicySet.compile(sources(Self.allowRead), hasher: SHA256VersionHasher())
        let b = try PolicySet.compile(sources(Self.allowWrite), hasher: SHA256VersionHasher())
        let store = PolicyStore(initial: a, hasher: SHA256VersionHasher())
        let sourcesA = sources(Self.allowRead)
        let sourcesB = sources(Self.allowWrite)
        let consistent = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for index in 0..<200 { _ = try? store.reload(sources: index.isMultiple(of: 2) ? sourcesB : sourcesA) }
                return true
            }
            for _ in 0..<4 {
                group.addTask {
                    for _ in 0..<500 {
                        let decision = await store.decide(request(), relationships: InMemoryRelationships())
                        // Set a allows reading; set b does not. The version says which set decided.
                        let expected: Decision.Effect = decision.policyVersion == a.version ? .allow : .deny
                        guard decision.policyVersion == a.version || decision.policyVersion == b.version,
                            decision.effect == expected
                        else { return false }
                    }
                    return true
                }
            }
            return await group.allSatisfy { $0 }
        }
        #expect(consistent)
    }
}
