import Accounts
import Argon2
import Audit
import DatabaseTestSupport
import Foundation
import GnuTLS
import Identity
import PostgreSQL
import Testing

/// Finding M3 of the first security review (and L5): another school's workstation cannot lock an
/// account, one workstation flooding logins cannot starve the others, and an unknown login cannot
/// be told from a locked one by the work it causes or by its timing.
@Suite("Staff logins: lockout only from the own organisation, fair password checks, uniform work")
struct LoginFairnessTests {
    /// A workstation certificate of `uri` with serial `serial` (hex), as the gateway would present it.
    static func certificate(_ uri: String, serial: UInt8) throws -> PresentedCertificate {
        PresentedCertificate(principal: try IdentityURI.parse(uri), serial: [serial])
    }

    /// The review's demonstration: five wrong logins from another school's workstation. Each is the
    /// uniform 401 and is audited, none counts, and the officer then signs in on their own.
    @Test("failed logins from a workstation of another organisation are refused and audited but never lock the account")
    func foreignWorkstationCannotLock() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("officer.one")
        var answers: [Int] = []
        for _ in 1...7 {
            answers.append(try await harness.login("officer.one", password: "wrong password again", certificate: "other-school").status)
        }
        let counters = try await harness.database.withPool { pool in
            try await pool.query("SELECT failed_attempts, locked_until IS NULL FROM accounts.accounts WHERE login = 'officer.one'")
                .first.map { (try $0.decode(Int.self, at: 0), try $0.decode(Bool.self, at: 1)) }
        }
        let own = try await harness.login("officer.one")
        let failed = try await harness.auditEventsFromDatabase("auth.failed")
        await harness.stop()
        #expect(answers == Array(repeating: 401, count: 7))
        #expect(counters?.0 == 0)
        #expect(counters?.1 == true)
        #expect(own.status == 201)
        #expect(failed.count == 7)
        #expect(failed.allSatisfy { $0.payload.contains(#""reason": "organisation_mismatch""#) })
        #expect(failed.allSatisfy { $0.actor == "bilet://school/77-9999/ws/1" })
    }

    @Test("failures from the account's own organisation still lock it")
    func ownWorkstationStillLocks() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("officer.two")
        for _ in 1...5 { _ = try await harness.login("officer.two", password: "wrong password again") }
        let locked = try await harness.login("officer.two")
        await harness.stop()
        #expect(locked.status == 401)
    }

    /// One running check, four waiting, two places per workstation: workstation 21 floods sixteen
    /// unknown logins (RFC 9106 Argon2id, the dummy hash) and takes only its two places; the rest
    /// of its flood is refused as busy, and workstation 22's officer still signs in. With one
    /// shared queue the flood would fill all four waiting places and the officer would be "busy".
    @Test("a workstation flooding logins is answered busy itself while another workstation's login proceeds")
    func floodDoesNotStarveOthers() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("officer.three")
        let hasher = try PasswordHasher(parameters: .rfc9106SecondRecommended, concurrentHashes: 1, waitingHashes: 4, perClientHashes: 2)
        let hashKey = try AuditHashKey(sourceKey: SymmetricKey(bytes: try SecureRandom.bytes(count: 32)), version: 1)
        let login = StaffLogin(pool: harness.accountsPool, hasher: hasher, hashKey: hashKey)
        let flooder = try Self.certificate("bilet://school/77-1234/ws/21", serial: 0x21)
        let officer = try Self.certificate("bilet://school/77-1234/ws/22", serial: 0x22)
        let flood = Task {
            await withTaskGroup(of: String.self) { group in
                for n in 0..<16 {
                    group.addTask {
                        do throws(AccountsError) {
                            _ = try await login.login("nobody.\(n)", password: "guess guess guess", certificate: flooder)
                            return "opened"
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
        try await Task.sleep(for: .milliseconds(150))
        let opened = try await login.login("officer.three", password: StaffHarness.password, certificate: officer)
        let outcomes = await flood.value
        await harness.stop()
        #expect(opened.sessionID.hasPrefix("ses_"))
        #expect(outcomes.count == 16)
        #expect(Set(outcomes).isSubset(of: ["accounts.busy", "accounts.login_failed"]), "\(outcomes)")
        #expect(outcomes.filter { $0 == "accounts.busy" }.count >= 10, "\(outcomes)")
        #expect(outcomes.filter { $0 == "accounts.login_failed" }.count >= 2, "\(outcomes)")
    }

    /// The pupils' listener is open to anyone: an activation hashes the new password before the
    /// code is checked. Those hashes take the client address's share of the one hasher, as its
    /// sign-ins do; before, they took places with no share at all, and one address sending codes
    /// made every staff sign-in "busy".
    @Test("an address flooding pupil activations is answered busy itself while a staff login proceeds")
    func activationFloodDoesNotStarveStaff() async throws {
        let harness = try await StaffHarness.start()
        try await harness.addAccount("officer.five")
        let hasher = try PasswordHasher(parameters: .rfc9106SecondRecommended, concurrentHashes: 1, waitingHashes: 4, perClientHashes: 2)
        let hashKey = try AuditHashKey(sourceKey: SymmetricKey(bytes: try SecureRandom.bytes(count: 32)), version: 1)
        let login = StaffLogin(pool: harness.accountsPool, hasher: hasher, hashKey: hashKey)
        let pupils = PupilAccounts(
            pool: harness.accountsPool, hasher: hasher,
            attemptedAccountHash: { login in try? hashKey.hash(login, field: StaffLogin.attemptedAccountField).description })
        let officer = try Self.certificate("bilet://school/77-1234/ws/22", serial: 0x22)
        let flood = Task {
            await withTaskGroup(of: String.self) { group in
                for n in 0..<16 {
                    group.addTask {
                        do throws(AccountsError) {
                            try await pupils.activate(
                                code: try ActivationCode.generate().text, login: "pupil.flood\(n)", password: "guess guess guess",
                                address: "203.0.113.7")
                            return "activated"
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
        try await Task.sleep(for: .milliseconds(150))
        let opened: String
        do {
            opened = try await login.login("officer.five", password: StaffHarness.password, certificate: officer).sessionID
        } catch {
            opened = "\(error)"
        }
        let outcomes = await flood.value
        await harness.stop()
        #expect(opened.hasPrefix("ses_"), "\(opened)")
        #expect(outcomes.count == 16)
        #expect(Set(outcomes).isSubset(of: ["accounts.busy", "accounts.activation_failed"]), "\(outcomes)")
        #expect(outcomes.filter { $0 == "accounts.busy" }.count >= 10, "\(outcomes)")
    }

    /// L5: the work an unknown login causes is the work a locked one causes. Both run one Argon2id
    /// verification (the dummy hash for the unknown one) and the same statements: the lookup by
    /// login and the row lock by id, two index scans of accounts.accounts per attempt (the old
    /// code skipped the row lock for an unknown login: one scan). Counted by PostgreSQL's own
    /// statistics, which a backend flushes when it exits; plus a coarse timing comparison.
    @Test("an unknown login and a locked one cause the same database work and take the same time")
    func unknownAndLockedCostTheSame() async throws {
        let harness = try await StaffHarness.start()
        let certificate = try Self.certificate("bilet://school/77-1234/ws/21", serial: 0x21)
        let hashKey = try AuditHashKey(sourceKey: SymmetricKey(bytes: try SecureRandom.bytes(count: 32)), version: 1)
        let hasher = try PasswordHasher(parameters: StaffHarness.fastArgon2)
        let components = harness.database.components(maxConnectionsPerComponent: 1)
        // Set up (account, lockout) on a pool of its own, closed before counting starts, so no
        // backend holds statistics it has not flushed yet.
        let admin = components.makePool(for: .accountAdmin)
        _ = try await AccountStore(pool: admin, hasher: hasher).add(
            login: "officer.locked", role: "school", organisation: "bilet://school/77-1234", region: "77",
            password: StaffHarness.password, actor: "test:harness")
        await admin.shutdown()
        let setup = components.makePool(for: .accounts)
        for _ in 1...5 {
            _ = try? await StaffLogin(pool: setup, hasher: hasher, hashKey: hashKey)
                .login("officer.locked", password: "wrong password again", certificate: certificate)
        }
        await setup.shutdown()

        /// Index scans of accounts.accounts caused by `attempts` logins of `name` on a pool of its own.
        func indexScans(_ name: String, attempts: Int) async throws -> Int {
            let before = try await IndexScans.stable(harness.database, schema: "accounts", table: "accounts")
            let pool = components.makePool(for: .accounts)
            let login = StaffLogin(pool: pool, hasher: hasher, hashKey: hashKey)
            for _ in 0..<attempts {
                await #expect(throws: AccountsError.self) { try await login.login(name, password: "wrong password again", certificate: certificate) }
            }
            await pool.shutdown()  // the backend flushes its statistics as it exits
            return try await IndexScans.stable(harness.database, schema: "accounts", table: "accounts", after: before) - before
        }
        let unknown = try await indexScans("officer.unknown", attempts: 4)
        let locked = try await indexScans("officer.locked", attempts: 4)
        #expect(unknown == locked, "unknown \(unknown) vs locked \(locked) index scans")
        #expect(unknown == 8)

        // Timing: medians of interleaved attempts (fast Argon2id, so the database work dominates).
        let login = StaffLogin(pool: harness.accountsPool, hasher: hasher, hashKey: hashKey)
        var unknownTimes: [Duration] = []
        var lockedTimes: [Duration] = []
        let clock = ContinuousClock()
        for round in 0..<60 {
            for name in round % 2 == 0 ? ["officer.unknown", "officer.locked"] : ["officer.locked", "officer.unknown"] {
                let elapsed = await clock.measure { _ = try? await login.login(name, password: "wrong password again", certificate: certificate) }
                if name == "officer.unknown" { unknownTimes.append(elapsed) } else { lockedTimes.append(elapsed) }
            }
        }
        await harness.stop()
        let unknownMedian = unknownTimes.sorted()[unknownTimes.count / 2]
        let lockedMedian = lockedTimes.sorted()[lockedTimes.count / 2]
        let difference = unknownMedian > lockedMedian ? unknownMedian - lockedMedian : lockedMedian - unknownMedian
        let bound = max(max(unknownMedian, lockedMedian) * 0.25, .milliseconds(3))
        #expect(difference <= bound, "unknown \(unknownMedian), locked \(lockedMedian)")
    }
}
