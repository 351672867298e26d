import Audit
import Foundation
import ServeTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The checkpoint directory's disk full (issue 15, part 2): a real `bilet serve` whose checkpoint
/// directory is a 64 KiB tmpfs of its own, filled to the last byte while the platform works.
extension FaultInjectionTests {
    /// Whether this process may mount a tmpfs (root, or CAP_SYS_ADMIN): tried once on a scratch directory.
    static let tmpfsMountable: Bool = {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-mount-\(UInt32.random(in: 0...UInt32.max))").path
        guard (try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)) != nil else { return false }
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        guard let mounted = try? mountTmpfs(at: scratch, size: "16k"), mounted else { return false }
        return (try? unmount(scratch)) == true
    }()

    static func mountTmpfs(at path: String, size: String) throws -> Bool {
        try BiletProcess.run(
            ["-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", path], environment: [:],
            executable: URL(fileURLWithPath: "/bin/mount")).status == 0
    }

    static func unmount(_ path: String) throws -> Bool {
        try BiletProcess.run([path], environment: [:], executable: URL(fileURLWithPath: "/bin/umount")).status == 0
    }

    /// The sequence of the checkpoint saved as `latest` in `directory`, nil when none is.
    static func savedSequence(_ directory: String) -> UInt64? {
        (try? CheckpointDirectory(path: directory).latest())??.checkpoint.sequence
    }

    /// While the checkpoint directory's disk is full, checkpoints keep being signed into the
    /// database, `bilet_audit_checkpoint_file_failing` is 1 and the failures counter rises, and the
    /// requests answer as before; once space returns, the sequencer writes `latest` again (the
    /// newest checkpoint) with no new event needed, the gauge falls to 0, and the whole log
    /// verifies against the saved file with no gap.
    @Test(.enabled(if: tmpfsMountable, "mount -t tmpfs is refused here (not root, no CAP_SYS_ADMIN): the disk-full fault needs a filesystem of its own to fill"))
    func checkpointDirectoryDiskFull() async throws {
        let run = try Run.make()
        defer { try? FileManager.default.removeItem(at: run.directory) }
        let checkpoints = run.directory.path + "/checkpoints"
        try FileManager.default.createDirectory(atPath: checkpoints, withIntermediateDirectories: true)
        try #require(try Self.mountTmpfs(at: checkpoints, size: "64k"))
        defer { _ = try? Self.unmount(checkpoints) }
        try run.prepare()
        let from = Date()
        let (serve, _, ports) = try await run.serve()
        defer { serve.stopIfRunning() }
        let port = try #require(ports["workstations"])
        let admin = try #require(ports["admin"])
        let token = try Self.school(run, port: port)
        #expect(try Self.importRow(run, port: port, token: token, index: 0).http == "200")

        let newestSigned = "SELECT coalesce(max(sequence), 0) FROM audit.checkpoints"
        var deadline = Date().addingTimeInterval(30)
        while Self.savedSequence(checkpoints).map({ "\($0)" }) != (try run.sql(newestSigned)), Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let savedBefore = try #require(Self.savedSequence(checkpoints), "no checkpoint file before the fault")
        let before = try ServeCommandTests.scrape(run, admin)
        #expect(ServeCommandTests.value(before, "bilet_audit_checkpoint_file_failing") == 0, "\(before)")
        #expect(ServeCommandTests.value(before, "bilet_audit_checkpoint_file_failures_total") == 0, "\(before)")

        // The fault: the directory's file system filled to the last block.
        let filler = checkpoints + "/filler"
        let fill = try BiletProcess.run(
            ["if=/dev/zero", "of=" + filler, "bs=4096"], environment: [:], executable: URL(fileURLWithPath: "/bin/dd"))
        #expect(fill.status != 0 && fill.output.contains("No space left on device"), "\(fill.output)")

        // The platform works on: imports answer, checkpoints are signed into the database.
        for index in 1...3 {
            #expect(try Self.importRow(run, port: port, token: token, index: index).http == "200")
            try await Task.sleep(for: .milliseconds(1200))
        }
        deadline = Date().addingTimeInterval(30)
        var scrape = try ServeCommandTests.scrape(run, admin)
        while ServeCommandTests.value(scrape, "bilet_audit_checkpoint_file_failing") != 1, Date() < deadline {
            try await Task.sleep(for: .milliseconds(200))
            scrape = try ServeCommandTests.scrape(run, admin)
        }
        let signedDuring = UInt64(try run.sql(newestSigned)) ?? 0
        #expect(signedDuring >= savedBefore + 2, "checkpoints stopped being signed: \(signedDuring) after \(savedBefore)")
        #expect(Self.savedSequence(checkpoints) == savedBefore, "the full disk took a new file")
        #expect(ServeCommandTests.value(scrape, "bilet_audit_checkpoint_file_failing") == 1, "\(scrape)")
        let failures = ServeCommandTests.value(scrape, "bilet_audit_checkpoint_file_failures_total") ?? 0
        #expect(failures >= 1, "\(scrape)")
        #expect(ServeCommandTests.value(scrape, #"bilet_reading_up{reading="audit-log"}"#) == 1, "\(scrape)")

        // Space returns: with no new event, the newest checkpoint's file is written again.
        try FileManager.default.removeItem(atPath: filler)
        let recovered = Date()
        deadline = Date().addingTimeInterval(30)
        while Self.savedSequence(checkpoints).map({ "\($0)" }) != (try run.sql(newestSigned)), Date() < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let savedAfter = try #require(Self.savedSequence(checkpoints))
        #expect("\(savedAfter)" == (try run.sql(newestSigned)))
        #expect(savedAfter >= signedDuring)
        let writtenAgainAfter = Date().timeIntervalSince(recovered)
        scrape = try ServeCommandTests.scrape(run, admin)
        #expect(ServeCommandTests.value(scrape, "bilet_audit_checkpoint_file_failing") == 0, "\(scrape)")
        #expect((ServeCommandTests.value(scrape, "bilet_audit_checkpoint_file_failures_total") ?? 0) >= failures, "\(scrape)")
        #expect(try run.sql("SELECT count(*) FROM audit.checkpoint_file_writes WHERE outcome = 'written-again'") == "1")
        print("fault injection: checkpoint directory full; \(signedDuring - savedBefore) checkpoints signed into the database meanwhile, \(Int(failures)) failed file writes counted, latest written again \(String(format: "%.1f", writtenAgainAfter)) s after space returned")

        try await Self.expectAuditIntact(run, from: from)
        #expect(try serve.terminate() == 0)
    }
}
