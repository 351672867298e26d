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
}
