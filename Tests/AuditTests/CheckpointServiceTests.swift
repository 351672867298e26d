import Audit
import DatabaseTestSupport
import Foundation
import GnuTLS
import PostgreSQL
import Testing

@Suite("Checkpoints: cadence, GOST signing, files, witness cosignatures")
struct CheckpointServiceTests {
    @Test("Under load the running sequencer signs a checkpoint at least every second")
    func cadence() async throws {
        let fixture = try await AuditFixture.make()
        let running = Task { await fixture.sequencer.run(pollInterval: .milliseconds(5)) }
        let started = ContinuousClock.now
        var n = 0
        while started.duration(to: .now) < .milliseconds(3_300) {
            try await fixture.log.append(AuditFixture.read(n), using: fixture.appender)
            n += 1
        }
        try await Task.sleep(for: .milliseconds(300))
        running.cancel()
        await running.value
        let checkpoints = try await fixture.store.checkpoints()
        // One per second is the design; the slack absorbs the rest of the test suite running on
        // the same two cores and holding the cluster's transaction horizon back for a moment.
        #expect(checkpoints.count >= 2, "\(checkpoints.count) checkpoints in 3.3 s")
        let times = try checkpoints.map { try #require(try SignedCheckpoint(parsing: $0.note).checkpoint.timeMilliseconds) }
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(later - earlier < 2_500, "gap of \(later - earlier) ms between checkpoints")
        }
        await fixture.shutdown()
    }

    @Test("A GOST R 34.10-2012 log key signs checkpoints that verify, with proofs")
    func gostLog() async throws {
        let fixture = try await AuditFixture.make(signing: .gost256)
        try await fixture.appendReads(0..<5)
        let checkpoint = try #require(try await fixture.integrate(untilSize: 5))
        let key = try NoteVerifierKey(vkey: fixture.signer.verifier.vkey)
        #expect(key.type == .gost256)
        try checkpoint.verify(logKey: key)
        let service = AuditQueryService(reader: fixture.auditor, recorder: fixture.recorder, officer: "user:usr_officer_1", purpose: "compliance_review")
        #expect(try (try await service.prove(leafIndex: 4)).verify(logKey: key).description.hasPrefix("leaf 4 is included"))
        #expect(try await AuditVerifier(pool: fixture.auditor, logKey: key).verify().findings == [])
        await fixture.shutdown()
    }

    @Test("Checkpoints are written to the folder; a witness cosignature is stored only when it verifies")
    func filesAndWitness() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bilet-cp-\(UUID().uuidString)").path
        let directory = CheckpointDirectory(path: folder, keepsHistory: true)
        let fixture = try await AuditFixture.make(directory: directory)
        try await fixture.appendReads(0..<4)
        let signed = try #require(try await fixture.integrate(untilSize: 4))
        #expect(try directory.latest() == signed)
        #expect(FileManager.default.fileExists(atPath: folder + "/1.checkpoint"))

        let witness = try NoteSigner(name: "witness.example/w1", privateKey: try .generate(algorithm: .ed25519), type: .ed25519Cosignature)
        let impostor = try NoteSigner(name: "witness.example/w1", privateKey: try .generate(algorithm: .ed25519), type: .ed25519Cosignature)
        let forged = try impostor.sign(text: signed.checkpoint.text)
        await #expect(throws: AuditError.self) { try await fixture.store.addCosignature(forged, sequence: 1, witness: witness.verifier) }
        try await fixture.store.addCosignature(try witness.sign(text: signed.checkpoint.text), sequence: 1, witness: witness.verifier)
        let cosigned = try #require(try await fixture.store.latestCheckpoint())
        try cosigned.verify(logKey: fixture.signer.verifier, witnesses: [witness.verifier])
        #expect(cosigned.note.signatures.count == 2)
        await fixture.shutdown()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
