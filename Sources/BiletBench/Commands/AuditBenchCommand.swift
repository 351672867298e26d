import ArgumentParser
import Audit
import Foundation
import GnuTLS
import PostgreSQL
import Storage

#if canImport(Glibc)
import Glibc
#endif

/// `bilet-bench audit`: sustained appends with concurrent writers, verify speed, and inclusion
/// proof latency at a large tree size.
struct AuditBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Measures audit appends per second, verify speed and inclusion proof latency.",
        discussion: """
            Starts a throwaway PostgreSQL cluster under /tmp (or uses --database-url, where it creates \
            databases), applies the migrations, then: (1) appends events from --writers concurrent tasks, \
            each event committed on its own (one statement, as `AuditLog.append(_:using:)` does), then each in an \
            explicit transaction (BEGIN, SELECT audit.append, COMMIT), while the sequencer integrates and \
            checkpoints, then again with --events-per-transaction events per transaction \
            (one batched append, SELECT audit.append_batch), and reports appends/s, the integration lag \
            and checkpoints/s; \
            (2) verifies the log from the database, and recomputes leaves and tree in memory; (3) builds \
            a tree of --proof-records leaves in a second database and times inclusion proofs read from \
            it. Targets: ≥10,000 appends/s, ≥1,000,000 records/s verified, inclusion proof <1 ms at \
            10 million records, in a release build.
            """)

    @Option(help: "Events to append.") var appends = 100_000
    @Option(help: "Concurrent writers (each with its own connection).") var writers = 16
    @Option(help: "Events per transaction, appended as one batch, in the second append run (1 skips it).") var eventsPerTransaction = 10
    @Option(help: "Synthetic records for the in-memory verify measurement.") var verifyRecords = 2_000_000
    @Option(help: "Tree size for the inclusion proof latency (0 skips it).") var proofRecords = 10_000_000
    @Option(help: "Inclusion proofs to time.") var proofSamples = 2_000
    @Flag(help: "Run the throwaway cluster with fsync and synchronous commit (slower, realistic).") var durable = false
    @Option(name: .customLong("database-url"), help: "Use this server (as a role that may create databases) instead of a throwaway cluster.")
    var databaseURL: String?

    func validate() throws {
        guard appends > 0, writers > 0, eventsPerTransaction > 0, verifyRecords >= 0, proofRecords >= 0, proofSamples > 0 else {
            throw ValidationError("counts must be positive")
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func rate(_ count: Int, _ duration: Duration) -> String {
        let perSecond = Double(count) / max(seconds(duration), 1e-9)
        return String(format: "%.0f/s", perSecond)
    }

    func run() async throws {
        #if DEBUG
            print("warning: debug build; measure with `swift build -c release --product bilet-bench` for real numbers")
        #endif
        let server = try await BenchServer.start(url: databaseURL, durable: durable)
        do {
            try await measure(server)
            await server.stop()
        } catch {
            await server.stop()
            throw error
        }
    }

    private func measure(_ server: BenchServer) async throws {
        print("PostgreSQL: \(server.description)")
        let signer = try NoteSigner(name: "bench.bilet/audit", privateKey: try PrivateKey.generate(algorithm: .ed25519))
        let appendBase = try await server.makeDatabase()
        let components = ComponentDatabase(base: appendBase, maxConnectionsPerComponent: writers, acquireTimeout: .seconds(30))
        let appender = components.makePool(for: .vault)
        let auditPool = ComponentDatabase(base: appendBase, maxConnectionsPerComponent: 4).makePool(for: .audit)
        let sequencer = AuditSequencer(pool: auditPool, signer: signer, batchSize: 10_000)
        let sequencing = Task { await sequencer.run(pollInterval: .milliseconds(5)) }
        let log = AuditLog(lockTimeout: .seconds(2))
        let event = PIIRead(
            actor: "bilet://school/77-1234/ws/3", subject: "sub_benchbenchbench0001", decision: .permit, purpose: "career_guidance",
            fieldsRequested: ["birth_date", "full_name"], fieldsReturned: ["birth_date", "full_name"]
        ).event

        // (1) Appends. 0 = each event committed on its own as one statement (`append(_:using:)`,
        // no BEGIN/COMMIT round trips); n = n events per explicit transaction.
        for perTransaction in Set([0, 1, eventsPerTransaction]).sorted() {
            let total = appends
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        var done = writer * (total / writers)
                        let end = writer == writers - 1 ? total : (writer + 1) * (total / writers)
                        while done < end {
                            guard perTransaction > 0 else {
                                try await log.append(event, using: appender)
                                done += 1
                                continue
                            }
                            let count = min(perTransaction, end - done)
                            try await appender.withTransaction { connection in
                                try await log.append(contentsOf: Array(repeating: event, count: count), on: connection)
                            }
                            done += count
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = started.duration(to: .now)
            let mode = perTransaction == 0 ? "1 per statement, committed on its own" : "\(perTransaction) per transaction"
            print("appends, \(mode), \(writers) writers: \(total) in \(String(format: "%.2f", Self.seconds(elapsed))) s = \(Self.rate(total, elapsed))")
        }
        let expected = UInt64(appends * Set([0, 1, eventsPerTransaction]).count)
        let store = PostgresAuditStore(pool: auditPool)
        let lagStarted = ContinuousClock.now
        while try await store.treeSize() < expected { try await Task.sleep(for: .milliseconds(20)) }
        print("integration lag after the last append: \(String(format: "%.3f", Self.seconds(lagStarted.duration(to: .now)))) s")
        sequencing.cancel()
        _ = await sequencing.value
        _ = try await sequencer.catchUp()
        let checkpoints = try await store.checkpoints()
        print("checkpoints signed: \(checkpoints.count) (sequencer signs at most one per second while events arrive)")

        // (2) Verify.
        let verifyStarted = ContinuousClock.now
        let report = try await AuditVerifier(pool: auditPool, logKey: signer.verifier, chunkSize: 50_000).verify()
        let verifyElapsed = verifyStarted.duration(to: .now)
        print("verify from the database: \(report.recordsChecked) records in \(String(format: "%.2f", Self.seconds(verifyElapsed))) s = \(Self.rate(Int(report.recordsChecked), verifyElapsed)), findings: \(report.findings.count)")
        if verifyRecords > 0 {
            let total = verifyRecords
            let actor = event.actor
            let subject = event.subject
            let started = ContinuousClock.now
            var frontier = MerkleFrontier()
            let chunk = 100_000
            var base = 0
            let cores = ProcessInfo.processInfo.activeProcessorCount
            while base < total {
                let count = min(chunk, total - base)
                let start = base
                // As verify does: leaves on all cores, the tree in order.
                let hashes = await withTaskGroup(of: (Int, [MerkleHash]).self) { group in
                    let slice = (count + cores - 1) / cores
                    for part in 0..<cores {
                        group.addTask {
                            let range = start + part * slice ..< min(start + count, start + (part + 1) * slice)
                            return (part, range.map { id in
                                let record = AuditRecord(
                                    id: Int64(id), recordedAtMicroseconds: 1_764_399_121_000_000 + Int64(id), kind: "pii.read",
                                    catalogueVersion: 1, actor: actor, subject: subject, decision: "permit", purpose: "career_guidance",
                                    payload: #"{"fields_requested": ["birth_date", "full_name"], "fields_returned": ["birth_date", "full_name"]}"#)
                                return record.leafHash(payloadDigest: record.payloadDigest)
                            })
                        }
                    }
                    var parts = Array(repeating: [MerkleHash](), count: cores)
                    for await (part, hashes) in group { parts[part] = hashes }
                    return parts.flatMap { $0 }
                }
                for hash in hashes { frontier.append(hash) }
                base += count
            }
            let elapsed = started.duration(to: .now)
            print("verify in memory (payload digest, leaf and tree recomputed; leaves on \(cores) cores): \(total) records = \(Self.rate(total, elapsed)) (root \(frontier.root.hex.prefix(16))…)")
        }
        await appender.shutdown()
        await auditPool.shutdown()

        // (3) Inclusion proofs at scale.
        guard proofRecords > 0 else { return }
        let proofBase = try await server.makeDatabase()
        let proofPool = PostgresConnectionPool(configuration: proofBase, maxConnections: 2, acquireTimeout: .seconds(60))
        let buildStarted = ContinuousClock.now
        var tree = InMemoryMerkleTree()
        let chunk = 50_000
        var written = 0
        while written < proofRecords {
            let count = min(chunk, proofRecords - written)
            var ids: [String] = []
            var hashes: [UInt8] = []
            ids.reserveCapacity(count)
            hashes.reserveCapacity(count * 32)
            for index in written ..< written + count {
                let leafHash = MerkleHasher.leafHash(Array("bench leaf \(index)".utf8))
                tree.append(leafHash: leafHash)
                ids.append(String(index))
                leafHash.withUnsafeBytes { hashes.append(contentsOf: $0) }
            }
            try await proofPool.execute(
                """
                INSERT INTO audit.leaves (leaf_index, event_id, event_xid, payload_digest, leaf_hash)
                SELECT u.id, u.id, CAST('1' AS xid8), substring(\(hashes) FROM CAST((u.n - 1) * 32 + 1 AS int4) FOR 32),
                       substring(\(hashes) FROM CAST((u.n - 1) * 32 + 1 AS int4) FOR 32)
                FROM unnest(CAST(\("{" + ids.joined(separator: ",") + "}") AS bigint[])) WITH ORDINALITY AS u(id, n)
                """)
            written += count
        }
        var level = 1
        while level < tree.levels.count {
            let nodes = tree.levels[level]
            var start = 0
            while start < nodes.count {
                let end = min(start + chunk, nodes.count)
                var keys: [String] = []
                var hashes: [UInt8] = []
                for index in start ..< end {
                    keys.append(String(MerkleNodeID(level: level, index: UInt64(index)).storageKey))
                    nodes[index].withUnsafeBytes { hashes.append(contentsOf: $0) }
                }
                try await proofPool.execute(
                    """
                    INSERT INTO audit.tree_nodes (node_key, hash)
                    SELECT u.k, substring(\(hashes) FROM CAST((u.n - 1) * 32 + 1 AS int4) FOR 32)
                    FROM unnest(CAST(\("{" + keys.joined(separator: ",") + "}") AS bigint[])) WITH ORDINALITY AS u(k, n)
                    """)
                start = end
            }
            level += 1
        }
        try await proofPool.execute("ANALYZE audit.leaves")
        try await proofPool.execute("ANALYZE audit.tree_nodes")
        print("built a tree of \(proofRecords) leaves in the database in \(String(format: "%.1f", Self.seconds(buildStarted.duration(to: .now)))) s")
        let proofStore = PostgresAuditStore(pool: proofPool)
        let size = UInt64(proofRecords)
        let root = tree.root
        var latencies: [Double] = []
        var generator = SystemRandomNumberGenerator()
        for sample in 0 ..< proofSamples + 50 {
            let index = UInt64.random(in: 0 ..< size, using: &generator)
            let started = ContinuousClock.now
            let proof = try await proofStore.inclusionProof(leafIndex: index, treeSize: size)
            let elapsed = Self.seconds(started.duration(to: .now))
            guard proof.verify(leafHash: try tree.hash(of: MerkleNodeID(level: 0, index: index)), root: root) else {
                print("proof for leaf \(index) did not verify")
                throw ExitCode(1)
            }
            if sample >= 50 { latencies.append(elapsed * 1000) }
        }
        latencies.sort()
        func percentile(_ p: Double) -> String { String(format: "%.3f ms", latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]) }
        print("inclusion proof from the database at \(proofRecords) leaves (\(proofSamples) random leaves, each verified): p50 \(percentile(0.5)), p99 \(percentile(0.99)), max \(percentile(1.0))")
        await proofPool.shutdown()
    }
}

/// The PostgreSQL server a benchmark runs against: a throwaway local cluster, or a given URL.
struct BenchServer: Sendable {
    let base: PostgresConfiguration
    let cluster: LocalCluster?
    let root: String?
    let description: String

    static func start(url: String?, durable: Bool) async throws -> BenchServer {
        if let url {
            return BenchServer(base: PostgresConfiguration(connectionString: url), cluster: nil, root: nil, description: "given server")
        }
        var template = Array("/tmp/bilet-bench-XXXXXX".utf8CString)
        guard let created = mkdtemp(&template) else { throw ValidationError("cannot create a temporary directory") }
        let root = String(cString: created)
        chmod(root, 0o711)
        let cluster = try LocalCluster(directory: root + "/cluster", durable: durable, maxConnections: 200)
        try await cluster.start()
        return BenchServer(
            base: cluster.configuration(), cluster: cluster, root: root,
            description: "throwaway local cluster in \(root) (\(durable ? "durable: fsync and synchronous commit on" : "fsync off, as for tests; --durable for realistic commits"))")
    }

    /// A new migrated database; returns the configuration connecting to it as the administrator.
    func makeDatabase() async throws -> PostgresConfiguration {
        let name = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = PostgresConnectionPool(configuration: base, maxConnections: 1)
        try await admin.execute("CREATE DATABASE \(identifier: try SQLIdentifier(String(name))) TEMPLATE template0 ENCODING 'UTF8'")
        await admin.shutdown()
        let configuration = base.connecting(toDatabase: String(name))
        let pool = PostgresConnectionPool(configuration: configuration, maxConnections: 1)
        _ = try await Migrator.bundled().migrate(using: pool)
        await pool.shutdown()
        return configuration
    }

    func stop() async {
        guard let cluster, let root else { return }
        try? await cluster.stop()
        try? FileManager.default.removeItem(atPath: root)
    }
}
