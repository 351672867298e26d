import Accounts
import Testing

/// A flood of sign-ins cannot start one 64 MiB Argon2id computation per attempt: the hasher runs
/// a bounded number at once, lets a bounded number wait, and refuses the rest as busy.
@Suite("Password checks are bounded")
struct PasswordHasherGateTests {
    @Test("one running, one waiting: of eight checks at once the excess is refused as busy, the admitted ones answer")
    func floodIsRefusedAsBusy() async throws {
        let hasher = try PasswordHasher(concurrentHashes: 1, waitingHashes: 1)
        let stored = try await hasher.hash("synthetic passphrase 1")
        let outcomes = await withTaskGroup(of: String.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    do throws(AccountsError) {
                        return try await hasher.verify("synthetic passphrase 1", against: stored) ? "match" : "mismatch"
                    } catch {
                        return error.code.rawValue
                    }
                }
            }
            var outcomes: [String] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted()
        }
        // Each check takes about a hundred milliseconds (64 MiB, 3 passes): while one runs and one waits,
        // the other six arrive and are refused; only a scheduler starving the group would admit more.
        #expect(outcomes.count == 8)
        #expect(Set(outcomes).isSubset(of: ["accounts.busy", "match"]), "\(outcomes)")
        #expect(outcomes.filter { $0 == "match" }.count >= 2)
        #expect(outcomes.filter { $0 == "accounts.busy" }.count >= 1)
        // Once the flood is over, checks are admitted again.
        #expect(try await hasher.verify("synthetic passphrase 1", against: stored))
        #expect(try await hasher.verify("wrong passphrase 12", against: stored) == false)
    }

    /// Finding M3: one running, eight waiting, two places per client. Client "flood" sends twelve
    /// checks at once and holds two places; the other ten are refused at once. Client "officer"
    /// still gets a place (with one shared queue of eight, the flood would have filled it).
    @Test("a client over its share is refused as busy while another client's check is admitted")
    func perClientShare() async throws {
        let hasher = try PasswordHasher(concurrentHashes: 1, waitingHashes: 8, perClientHashes: 2)
        let stored = try await hasher.hash("synthetic passphrase 1")
        let flood = Task {
            await withTaskGroup(of: String.self) { group in
                for _ in 0..<12 {
                    group.addTask {
                        do throws(AccountsError) {
                            return try await hasher.verify("synthetic passphrase 1", against: stored, client: "flood") ? "match" : "mismatch"
                        } catch {
                            return error.code.rawValue
                        }
                    }
                }
                var outcomes: [String] = []
                for await outcome in group { outcomes.append(outcome) }
                return outcomes
            }
        }
        try await Task.sleep(for: .milliseconds(30))
        #expect(try await hasher.verify("synthetic passphrase 1", against: stored, client: "officer"))
        let outcomes = await flood.value
        #expect(outcomes.filter { $0 == "accounts.busy" }.count >= 8, "\(outcomes)")
        #expect(outcomes.filter { $0 == "match" }.count >= 2, "\(outcomes)")
        // Its share is free again once its checks ended.
        #expect(try await hasher.verify("synthetic passphrase 1", against: stored, client: "flood"))
    }
}
