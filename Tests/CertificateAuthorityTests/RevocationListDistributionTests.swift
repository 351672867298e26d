import CertificateAuthority
import Foundation
import GnuTLS
import PostgreSQL
import TLS
import TLSTestSupport
import Testing

/// Issue 12: the CRL subscriber merges per issuer and validates before writing (M1), CRLs cannot be
/// rolled back through the `bilet_ca` role (M2), every issuer up to the root is checked even when
/// the client sends only its leaf (L6), and a CRL of a foreign CA in the database is not an error
/// at every start.
@Suite(.serialized) struct RevocationListDistributionTests {
    static let identity = RenewalTests.identity

    static func waitFor(_ harness: CAGatewayHarness, _ text: String, count: Int = 1) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while clock.now < deadline {
            if harness.logs.messages(containing: text).count >= count { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    static func crls(_ harness: CAGatewayHarness) throws -> [CertificateRevocationList] {
        try CertificateRevocationList.list(pem: try ProtectedFile.readPublic(harness.fixture.path("crl.pem")))
    }

    @Test func aRevocationInOneHierarchyKeepsEveryOtherIssuersCRLInTheFile() async throws {
        let harness = try await CAGatewayHarness.start()
        let ws = try await harness.fixture.enrol(Self.identity, name: "ws")
        let authorities = try TrustStore(pemBundle: try ProtectedFile.readPublic(harness.fixture.path("ca-bundle.pem"))).authorities
        #expect(authorities.count == 4, "two roots and two issuing CAs")
        _ = try await harness.fixture.authority().revoke(serial: ws.record.serial, reason: .keyCompromise, actor: "admin:test")
        let applied = await Self.waitFor(harness, "crl applied")
        let lists = try Self.crls(harness)
        let generation = harness.material.current.generation
        let refused = try await harness.curl("ws")
        await harness.stop()
        #expect(applied)
        #expect(Set(lists.map(\.rawIssuer)) == Set(authorities.map(\.rawSubject)), "a CRL of every CA stays in the file")
        #expect(lists.count == 4)
        #expect(generation == 2, "the merged file loaded")
        #expect(harness.logs.messages(containing: "reload failed").isEmpty)
        #expect(refused.status != "200")
    }

    @Test func aReplayedOlderCRLInsertedAsTheCARoleIsRefusedAndTheRevocationStays() async throws {
        let harness = try await CAGatewayHarness.start()
        let ws = try await harness.fixture.enrol(Self.identity, name: "ws")
        // a validly signed CRL from before the revocation
        let before = try await harness.fixture.authority().publishRevocationLists()
        let old = try #require(before.first { $0.hierarchy == .ecdsa }).number
        #expect(await Self.waitFor(harness, "crl applied"))
        let revocation = try await harness.fixture.authority().revoke(serial: ws.record.serial, reason: .keyCompromise, actor: "admin:test")
        #expect(await Self.waitFor(harness, "crl applied", count: 2))
        #expect(try await harness.curl("ws").status != "200")

        // the review's replay: bilet_ca may no longer choose the number
        let pool = harness.fixture.pool
        let denied = await #expect(throws: PostgresError.self) {
            try await pool.execute(
                """
                INSERT INTO ca.revocation_lists (crl_number, hierarchy, this_update, next_update, revoked_count, pem)
                SELECT 9223372036854775807, hierarchy, this_update, next_update, revoked_count, pem
                FROM ca.revocation_lists WHERE crl_number = \(old)
                """)
        }
        #expect(denied?.sqlState == .insufficientPrivilege)

        // the replay under the next number the database hands out, announced: the subscriber refuses it
        try await pool.withTransaction { connection in
            _ = try await connection.query("SELECT nextval('ca.crl_number')")
            try await connection.execute(
                """
                INSERT INTO ca.revocation_lists (hierarchy, this_update, next_update, revoked_count, pem)
                SELECT hierarchy, this_update, next_update, revoked_count, pem FROM ca.revocation_lists WHERE crl_number = \(old)
                """)
            try await connection.notify(RevocationPublisher.channel, payload: "replay")
        }
        let skipped = await Self.waitFor(harness, "crl whose signed number differs from its row")
        try await Task.sleep(for: .milliseconds(300))
        let after = try await harness.curl("ws")
        let inFile = try Self.crls(harness).compactMap(\.number)
        await harness.stop()
        #expect(skipped)
        #expect(after.status != "200", "the revoked certificate got in again")
        #expect(inFile.contains(UInt64(revocation.revocationList.number)))
        #expect(!inFile.contains(UInt64(old)))
        #expect(harness.logs.messages(containing: "crl applied").count == 2, "nothing applied after the replay")
    }

    @Test func revokingTheIssuingCAInTheRootCRLRefusesAClientThatSendsOnlyItsLeaf() async throws {
        let harness = try await CAGatewayHarness.start(subscriber: false)
        let issued = try await harness.fixture.enrol(Self.identity, name: "ws")
        try ProtectedFile.writePublic(issued.certificate.pemRepresentation, to: harness.fixture.path("leaf.pem"))
        try FileManager.default.copyItem(atPath: harness.fixture.path("ws.key"), toPath: harness.fixture.path("leaf.key"))
        let accepted = try await harness.curl("leaf")
        #expect(accepted.status == "200", "a client sending only its leaf is served: \(accepted.body)")

        let directory = harness.fixture.authorityDirectory
        let rootCRL = try directory.publishRootRevocationList(
            .ecdsa, rootPassphrase: try Passphrase(CAFixture.rootPassphrase), revoking: [try directory.issuingCertificate(.ecdsa)],
            now: Int(Date().timeIntervalSince1970))
        // the root's new CRL replaces its previous one in the gateway's CRL file
        let others = try Self.crls(harness).filter { $0.rawIssuer != rootCRL.rawIssuer }
        try ProtectedFile.writePublic(others.map(\.pemRepresentation).joined() + rootCRL.pemRepresentation, to: harness.fixture.path("crl.pem"))
        let outcome = harness.material.reload(reason: "test")
        let leaf = try await harness.curl("leaf")
        let chain = try await harness.curl("ws")
        await harness.stop()
        guard case .reloaded = outcome else {
            Issue.record("the root CRL was not loaded: \(outcome)")
            return
        }
        #expect(leaf.status != "200", "the leaf of a revoked issuing CA got in: \(leaf.body)")
        #expect(chain.status != "200")
        #expect(harness.logs.messages(containing: "tls client certificate refused").allSatisfy { $0.metadata["tls.refusal"] == "revoked" })
        // refusal lines are rate-limited (one per code per second): at least one, all `revoked`
        #expect(!harness.logs.messages(containing: "tls client certificate refused").isEmpty)
    }

    @Test func aCRLOfAForeignCAInTheDatabaseIsSkippedAndReportedOnceNotAnErrorAtEveryStart() async throws {
        let harness = try await CAGatewayHarness.start()
        let foreign = try await CAFixture.make(hierarchies: [.ecdsa])
        defer { Task { await foreign.tearDown() } }
        let before = try ProtectedFile.readPublic(harness.fixture.path("crl.pem"))
        // another deployment's CA publishes into this database, twice
        let stranger = CertificateAuthority(issuers: foreign.issuers, pool: harness.fixture.pool)
        _ = try await stranger.publishRevocationLists()
        #expect(await Self.waitFor(harness, "crl of a CA this gateway does not trust"))
        _ = try await stranger.publishRevocationLists()
        try await Task.sleep(for: .seconds(1))
        let after = try ProtectedFile.readPublic(harness.fixture.path("crl.pem"))
        // read before stopping: the shutdown itself may log the subscriber's lost connection
        let reports = harness.logs.messages(containing: "crl of a CA this gateway does not trust")
        // errors only: other suites running beside this one may cut the subscriber's connection (a warning)
        let errors = harness.logs.all.filter { $0.level >= .error }.map(\.message)
        let untrusted = harness.logs.all.filter { $0.metadata["error.code"] == "untrusted-crl" }
        await harness.stop()
        #expect(reports.count == 1)
        #expect(reports.first?.level == .notice)
        #expect(reports.first?.metadata["crl.issuer"]?.contains("CN=") == true)
        #expect(errors.isEmpty, "\(errors)")
        #expect(untrusted.isEmpty)
        #expect(after == before, "the gateway's CRL file is untouched")
    }
}
