import Foundation
import Synchronization
import Testing
import Tokens
@testable import Vault

/// KEK rotation done by the vault itself: a new version, a background re-wrap that is resumable
/// and rate-limited, retirement of the old version once nothing uses it, with reads and writes
/// working throughout.
/// Shared state of the load tasks.
final class LoadState: Sendable {
    let known: Mutex<[SubjectToken]>
    let stop = Atomic<Bool>(false)
    let failures = Atomic<Int>(0)
    let reads = Atomic<Int>(0)
    let writes = Atomic<Int>(0)
    let registrations = Atomic<Int>(0)
    let reasons = Mutex<[String]>([])

    func fail(_ what: String) {
        failures.add(1, ordering: .relaxed)
        reasons.withLock { $0.append(what) }
    }

    init(_ tokens: [SubjectToken]) {
        known = Mutex(tokens)
    }
}

@Suite("Key rotation")
struct RotationTests {
    static func configuration() -> VaultConfiguration {
        var configuration = VaultConfiguration()
        configuration.retirementGrace = .milliseconds(300)
        return configuration
    }

    @Test("rotation while readers and writers hammer the vault: no failed request, and no data key is left on the old version")
    func rotationUnderLoad() async throws {
        let fixture = try await VaultFixture.make(configuration: Self.configuration(), maxConnections: 10)
        var tokens: [SubjectToken] = []
        for seed in 200..<240 { tokens.append(try await fixture.family(seed).pupil.token) }
        let other = fixture.secondVault()
        try await other.unseal(with: .passphrase(fixture.passphrase), by: "admin:test")
        let load = LoadState(tokens)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for reader in 0..<3 {
                let vault = reader == 0 ? other : fixture.vault
                group.addTask {
                    while !load.stop.load(ordering: .relaxed) {
                        let sample = load.known.withLock { list in (0..<8).map { _ in list.randomElement()! } }
                        do {
                            let outcomes = try await vault.readBatch(
                                sample.map { .subject($0) }, fields: [.surname, .grade, .email], purpose: "enrolment", by: Principals.school())
                            for outcome in outcomes.values where outcome.data == nil { load.fail("read refused: \(outcome)") }
                            load.reads.add(1, ordering: .relaxed)
                        } catch {
                            load.fail("read: \(error)")
                        }
                    }
                }
            }
            group.addTask {
                var counter = 0
                while !load.stop.load(ordering: .relaxed) {
                    counter += 1
                    let token = load.known.withLock { $0.randomElement()! }
                    do {
                        try await fixture.vault.write(
                            token, values: [.email: PersonalValue("rotated.\(counter)@example.invalid")], purpose: "enrolment", by: Principals.school())
                        load.writes.add(1, ordering: .relaxed)
                    } catch {
                        load.fail("write: \(error)")
                    }
                }
            }
            group.addTask {
                var seed = 300
                while !load.stop.load(ordering: .relaxed) {
                    do {
                        let token = try await fixture.family(seed).pupil.token
                        load.known.withLock { $0.append(token) }
                        load.registrations.add(1, ordering: .relaxed)
                    } catch {
                        load.fail("registration: \(error)")
                    }
                    seed += 1
                }
            }
            group.addTask {
                defer { load.stop.store(true, ordering: .relaxed) }
                try await Task.sleep(for: .milliseconds(300))
                let started = try await fixture.vault.rotate(by: "user:usr_security_admin")
                #expect(started.fromVersion == 1)
                #expect(started.toVersion == 2)
                let again = await #expect(throws: VaultError.self) { try await fixture.vault.rotate(by: "user:usr_security_admin") }
                #expect(again?.code == .rotationInProgress)
                let job = KeyRotationJob(vault: fixture.vault, batchSize: 5, keysPerSecond: 400, idleInterval: .milliseconds(50))
                let deadline = ContinuousClock.now + .seconds(120)
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: await job.step())
                    if try await fixture.vault.status().rotation?.finished == true { break }
                }
                try await Task.sleep(for: .milliseconds(300))
            }
            try await group.waitForAll()
        }

        #expect(load.failures.load(ordering: .relaxed) == 0, "\(load.reasons.withLock { $0 })")
        print("rotation under load: reads \(load.reads.load(ordering: .relaxed)), writes \(load.writes.load(ordering: .relaxed)), registrations \(load.registrations.load(ordering: .relaxed))")
        #expect(load.reads.load(ordering: .relaxed) > 10)
        #expect(load.writes.load(ordering: .relaxed) > 5)
        #expect(load.registrations.load(ordering: .relaxed) > 0)
        let status = try await fixture.vault.status()
        #expect(status.currentKEKVersion == 2)
        #expect(status.rotation?.finished == true)
        #expect(status.keks.map(\.state) == ["retired", "current"])
        #expect(status.keks.first?.dataKeys == 0)
        let oldKeys = try await fixture.asSuperuser { pool in
            try await pool.query(
                "SELECT (SELECT count(*) FROM vault.subjects WHERE kek_version = 1) + (SELECT count(*) FROM vault.keks WHERE version = 1 AND wrapped IS NOT NULL)"
            ).singleValue(Int.self)
        }
        #expect(oldKeys == 0)
        #expect((try fixture.vault.keys()).kek(1) == nil)
        // Everything still reads, in this process and in a freshly unsealed one.
        let all = load.known.withLock { $0 }
        let fresh = fixture.secondVault()
        try await fresh.unseal(with: .passphrase(fixture.passphrase), by: "admin:test")
        let outcomes = try await fresh.readBatch(all.map { .subject($0) }, fields: [.surname], purpose: "enrolment", by: Principals.school())
        #expect(outcomes.values.allSatisfy { $0.data != nil })
        #expect(try await fixture.auditRows(kind: "key.rotated").count == 1)
        // The next rotation can start.
        #expect(try await fixture.vault.rotate(by: "user:usr_security_admin").toVersion == 3)
        await fixture.shutdown()
    }

    @Test("a rotation stopped halfway resumes in another process and finishes")
    func resumes() async throws {
        let fixture = try await VaultFixture.make(configuration: Self.configuration())
        for seed in 250..<262 { _ = try await fixture.family(seed) }
        try await fixture.vault.rotate(by: "user:usr_security_admin")
        #expect(try await fixture.vault.rewrapDataKeys(limit: 5) == 5)
        var status = try await fixture.vault.status()
        #expect(status.rotation?.rewrappedKeys == 5)
        #expect(status.rotation?.remainingKeys == 19)
        try await fixture.vault.seal(by: "admin:test")

        let restarted = fixture.secondVault()
        try await restarted.unseal(with: .passphrase(fixture.passphrase), by: "admin:test")
        let job = KeyRotationJob(vault: restarted, batchSize: 10, keysPerSecond: 10_000, idleInterval: .milliseconds(20))
        for _ in 0..<100 {
            try await Task.sleep(for: await job.step())
            if try await restarted.status().rotation?.finished == true { break }
        }
        status = try await restarted.status()
        #expect(status.rotation?.finished == true)
        #expect(status.rotation?.rewrappedKeys == 24)
        #expect(status.keks.map(\.state) == ["retired", "current"])
        await fixture.shutdown()
    }

    @Test("a sealed vault's rotation job waits")
    func sealedJobIdles() async throws {
        let fixture = try await VaultFixture.make(configuration: Self.configuration())
        _ = try await fixture.family(270)
        try await fixture.vault.rotate(by: "user:usr_security_admin")
        try await fixture.vault.seal(by: "admin:test")
        let job = KeyRotationJob(vault: fixture.vault, idleInterval: .milliseconds(10))
        #expect(await job.step() == .milliseconds(10))
        #expect(try await fixture.vault.status().rotation?.rewrappedKeys == 0)
        await fixture.shutdown()
    }
}
