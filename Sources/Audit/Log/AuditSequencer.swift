public import Logging
public import PostgreSQL
import Foundation

/// Integrates committed audit events into the Merkle tree and signs checkpoints.
///
/// **Commit order.** Event ids are assigned at INSERT, but transactions commit in another
/// order, so "integrate everything above the last id" would skip an event whose transaction
/// commits late. Every event therefore records the id of the transaction that wrote it
/// (`xid xid8 DEFAULT pg_current_xact_id()`, a column application roles cannot set). A batch
/// takes only events with `xid < pg_snapshot_xmin(pg_current_snapshot())`: every transaction
/// below the oldest one still running has finished, so each such event is either committed and
/// visible or rolled back and gone for good, and no transaction can ever add another row below
/// that bound (new transaction ids are always above the snapshot's xmax). Events are taken in
/// `(xid, id)` order after a cursor, the `(xid, id)` of the newest leaf. Rolled-back
/// transactions leave nothing to wait for, so they never stall the sequencer; only a transaction
/// that stays open holds integration back until it ends (bounded by the roles'
/// statement and idle-in-transaction timeouts).
///
/// **Another cluster.** Transaction ids restart in every cluster, so a database restored into a
/// fresh one would hand out ids below its restored cursor. Events therefore carry the raw id plus
/// an offset and the bound is `audit.integration_bound()`, the raw bound plus the same offset
/// (migration 0910); `audit.rebase_xids()`, which the restore calls, raises the offset so that
/// every transaction of the new cluster sorts after every restored event. Within one offset the
/// argument above is unchanged; across a rebase every earlier event has committed and lies below.
///
/// **Append-only.** A batch INSERTs leaves (index, event id, payload digest, leaf hash) and the
/// interior tree nodes the batch completed; a checkpoint is an INSERT. Nothing is updated.
///
/// **Several sequencers.** Every batch and checkpoint runs under a transaction-level advisory
/// lock and re-reads the tree size inside it; an instance whose in-memory frontier is behind
/// reloads it from the stored nodes (O(log n) reads). So any number of processes may run one.
public actor AuditSequencer {
    /// The advisory lock key of the sequencer (`'bilet_sq'`).
    public static let lockKey: Int64 = 0x6269_6C65_745F_7371

    /// What one batch did.
    public struct Batch: Sendable, Hashable {
        /// Events integrated.
        public let integrated: Int
        /// The tree size afterwards.
        public let treeSize: UInt64
    }

    private let pool: PostgresConnectionPool
    private let signer: NoteSigner
    private let directory: CheckpointDirectory?
    private let batchSize: Int
    private let checkpointInterval: Duration
    private let logger: Logger
    private var frontier = MerkleFrontier()
    private var lastCheckpointAt: ContinuousClock.Instant?
    /// Checkpoints signed into the database whose files are not written yet, oldest first.
    private var unwrittenFiles = UnwrittenCheckpointFiles()

    /// A sequencer.
    /// - Parameters:
    ///   - pool: connects as `bilet_audit`.
    ///   - signer: signs checkpoints; its key name is the log's origin.
    ///   - directory: where checkpoints are also written (nil: database only).
    ///   - batchSize: most events per batch.
    ///   - checkpointInterval: the longest time between checkpoints while events arrive.
    public init(
        pool: PostgresConnectionPool, signer: NoteSigner, directory: CheckpointDirectory? = nil, batchSize: Int = 5000,
        checkpointInterval: Duration = .seconds(1), logger: Logger = Logger(label: "bilet.audit.sequencer")
    ) {
        self.pool = pool
        self.signer = signer
        self.directory = directory
        self.batchSize = max(1, batchSize)
        self.checkpointInterval = checkpointInterval
        self.logger = logger
    }

    /// The log's origin (the signing key's name).
    public var origin: String { signer.name }

    /// Integrates up to `batchSize` committed events.
    ///
    /// - Throws: ``AuditError/Code/unavailable``, ``AuditError/Code/storage``,
    ///   ``AuditError/Code/inconsistentState`` when stored state contradicts itself.
    @discardableResult
    public func integrate() async throws(AuditError) -> Batch {
        do {
            let (batch, newFrontier) = try await pool.withTransaction { connection in
                try await self.integrate(on: connection, frontier: self.frontier)
            }
            frontier = newFrontier
            return batch
        } catch {
            throw AuditError.from(error, while: "integrating audit events")
        }
    }

    private func integrate(on connection: PostgresConnection, frontier: MerkleFrontier) async throws -> (Batch, MerkleFrontier) {
        try await connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
        let last = try await connection.query(
            "SELECT leaf_index, CAST(event_xid AS text), event_id FROM audit.leaves ORDER BY leaf_index DESC LIMIT 1")
        var size: UInt64 = 0
        var cursorXID = "0"
        var cursorID: Int64 = 0
        if let row = last.first {
            size = UInt64(try row.decode(Int64.self, at: 0)) + 1
            cursorXID = try row.decode(String.self, at: 1)
            cursorID = try row.decode(Int64.self, at: 2)
        }
        var frontier = frontier
        if frontier.size != size {
            frontier = try await Self.loadFrontier(size: size, on: connection)
        }
        let rows = try await connection.query(
            """
            SELECT e.id, CAST(e.xid AS text) AS xid_text, CAST(EXTRACT(EPOCH FROM e.recorded_at) * 1000000 AS int8),
                   e.kind, e.catalogue_version, e.actor, e.subject, e.decision, e.purpose, CAST(e.payload AS text) AS payload_text,
                   CAST(e.written_by AS text) AS written_by_text
            FROM audit.events e
            WHERE (e.xid, e.id) > (CAST(\(cursorXID) AS xid8), \(cursorID))
              AND e.xid < audit.integration_bound()
            ORDER BY e.xid, e.id
            LIMIT \(Int64(batchSize))
            """)
        guard !rows.isEmpty else { return (Batch(integrated: 0, treeSize: size), frontier) }

        var eventIDs: [String] = []
        var xids: [String] = []
        var digests: [UInt8] = []
        var leafHashes: [UInt8] = []
        var nodeKeys: [String] = []
        var nodeHashes: [UInt8] = []
        eventIDs.reserveCapacity(rows.count)
        xids.reserveCapacity(rows.count)
        digests.reserveCapacity(rows.count * 32)
        leafHashes.reserveCapacity(rows.count * 32)
        for row in rows {
            let record = AuditRecord(
                id: try row.decode(Int64.self, at: 0), recordedAtMicroseconds: try row.decode(Int64.self, at: 2),
                kind: try row.decode(String.self, at: 3), catalogueVersion: try row.decode(Int?.self, at: 4),
                actor: try row.decode(String?.self, at: 5), subject: try row.decode(String?.self, at: 6),
                decision: try row.decode(String?.self, at: 7), purpose: try row.decode(String?.self, at: 8),
                payload: try row.decode(String?.self, at: 9), writtenBy: try row.decode(String.self, at: 10))
            let digest = record.payloadDigest
            let leafHash = record.leafHash(payloadDigest: digest)
            eventIDs.append(String(record.id))
            xids.append(try row.decode(String.self, at: 1))
            digest.withUnsafeBytes { digests.append(contentsOf: $0) }
            leafHash.withUnsafeBytes { leafHashes.append(contentsOf: $0) }
            frontier.append(leafHash) { node, hash in
                nodeKeys.append(String(node.storageKey))
                hash.withUnsafeBytes { nodeHashes.append(contentsOf: $0) }
            }
        }
        try await connection.execute(
            """
            INSERT INTO audit.leaves (leaf_index, event_id, event_xid, payload_digest, leaf_hash)
            SELECT \(Int64(size)) + u.n - 1, u.event_id, u.event_xid,
                   substring(\(digests) FROM CAST((u.n - 1) * 32 + 1 AS int4) FOR 32),
                   substring(\(leafHashes) FROM CAST((u.n - 1) * 32 + 1 AS int4) FOR 32)
            FROM unnest(CAST(\("{" + eventIDs.joined(separator: ",") + "}") AS bigint[]),
                        CAST(\("{" + xids.joined(separator: ",") + "}") AS xid8[])) WITH ORDINALITY AS u(event_id, event_xid, n)
            """)
        if !nodeKeys.isEmpty {
            try await connection.execute(
                """
                INSERT INTO audit.tree_nodes (node_key, hash)
                SELECT u.node_key, substring(\(nodeHashes) FROM CAST((u.n - 1) * 32 + 1 AS int4) FOR 32)
                FROM unnest(CAST(\("{" + nodeKeys.joined(separator: ",") + "}") AS bigint[])) WITH ORDINALITY AS u(node_key, n)
                """)
        }
        return (Batch(integrated: rows.count, treeSize: frontier.size), frontier)
    }

    /// Rebuilds the frontier of a tree of `size` leaves from the stored perfect subtrees.
    static func loadFrontier(size: UInt64, on connection: PostgresConnection) async throws -> MerkleFrontier {
        let nodes = MerkleFrontier.nodeIDs(forSize: size)
        return try MerkleFrontier(size: size, hashes: try await PostgresAuditStore.hashes(of: nodes, on: connection))
    }

    /// Signs and stores a checkpoint of the current tree, unless the tree has not grown since
    /// the last one (then returns nil). Writes it to the checkpoint directory after it commits.
    ///
    /// - Throws: as ``integrate()``, ``AuditError/Code/crypto``, ``AuditError/Code/file``.
    @discardableResult
    public func checkpoint() async throws(AuditError) -> SignedCheckpoint? {
        let signed: SignedCheckpoint?
        do {
            (signed, frontier) = try await pool.withTransaction { connection in
                try await connection.execute("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
                let size = try await PostgresAuditStore.treeSize(on: connection)
                var frontier = self.frontier
                if frontier.size != size { frontier = try await Self.loadFrontier(size: size, on: connection) }
                let last = try await connection.query(
                    "SELECT sequence, tree_size, signed_at FROM audit.checkpoints ORDER BY sequence DESC LIMIT 1")
                var sequence: UInt64 = 1
                // A checkpoint's time never goes back: after the clock was stepped back, checkpoints
                // carry the previous one's time until the clock passes it again (docs/RELIABILITY.md).
                var now = Date()
                if let row = last.first {
                    guard UInt64(try row.decode(Int64.self, at: 1)) < size else { return (nil, frontier) }
                    sequence = UInt64(try row.decode(Int64.self, at: 0)) + 1
                    now = max(now, try row.decode(Date.self, at: 2))
                }
                let checkpoint = try Checkpoint(origin: self.signer.name, size: size, root: frontier.root, sequence: sequence, time: now)
                let signed = try SignedCheckpoint(checkpoint, signer: self.signer)
                try await connection.execute(
                    """
                    INSERT INTO audit.checkpoints (sequence, tree_size, root_hash, signed_at, note)
                    VALUES (\(Int64(sequence)), \(Int64(size)), \(frontier.root.bytes), \(now), \(signed.serialized))
                    """)
                return (signed, frontier)
            }
        } catch {
            throw AuditError.from(error, while: "signing a checkpoint")
        }
        lastCheckpointAt = .now
        if let signed, directory != nil {
            unwrittenFiles.append(signed)
            try await writeFiles()
        }
        return signed
    }

    /// Writes the checkpoint files not written yet (the newest as `latest`, every one to history when
    /// kept). A checkpoint is signed into the database before its file is written, so a failed
    /// write (the directory's disk full) loses nothing: the file is written again by the next
    /// attempt, at most one a second. Each failed attempt and the first success after failures are
    /// recorded in `audit.checkpoint_file_writes` (migration 0911), which the gateway's metrics read.
    ///
    /// - Throws: ``AuditError/Code/file`` when a file still cannot be written.
    public func writeFiles() async throws(AuditError) {
        guard let directory, let newest = unwrittenFiles.newest else { return }
        guard unwrittenFiles.attemptAllowed(at: .now) else { throw AuditError(.file, "checkpoint files are waiting to be written again") }
        do throws(AuditError) {
            while let next = unwrittenFiles.oldest(keepingHistory: directory.keepsHistory) {
                try directory.write(next)
                unwrittenFiles.written(next)
            }
        } catch {
            unwrittenFiles.failed(at: .now)
            await recordFileWrite(sequence: newest, outcome: "failed")
            throw error
        }
        if unwrittenFiles.recovered() {
            await recordFileWrite(sequence: newest, outcome: "written-again")
            logger.notice("audit checkpoint files written again", metadata: ["sequence": "\(newest)"])
        }
    }

    /// Leaves a row operators' metrics read; a failure to leave it is logged and changes nothing else.
    private func recordFileWrite(sequence: UInt64, outcome: String) async {
        do {
            try await pool.execute("INSERT INTO audit.checkpoint_file_writes (sequence, outcome) VALUES (\(Int64(sequence)), \(outcome))")
        } catch {
            logger.warning("cannot record a checkpoint file write", metadata: ["outcome": "\(outcome)"])
        }
    }

    /// Integrates until no committed event is waiting, then signs a checkpoint if the tree grew.
    /// For tests and tools; the service uses ``run(pollInterval:)``.
    @discardableResult
    public func catchUp() async throws(AuditError) -> SignedCheckpoint? {
        while try await integrate().integrated == batchSize {}
        return try await checkpoint()
    }

    /// Runs until the task is cancelled: integrates batches as events commit and signs a
    /// checkpoint at least every `checkpointInterval` while the tree grows. Failures are logged
    /// (by code only) and retried after `pollInterval`; they never end the loop.
    public func run(pollInterval: Duration = .milliseconds(20)) async {
        while !Task.isCancelled {
            var idle = true
            var failed = false
            do throws(AuditError) {
                let batch = try await integrate()
                idle = batch.integrated < batchSize
                if lastCheckpointAt.map({ $0.duration(to: .now) >= checkpointInterval }) ?? true {
                    try await checkpoint()
                } else if unwrittenFiles.attemptAllowed(at: .now) {
                    try await writeFiles()
                }
            } catch where error.code == .file {
                // The checkpoint is in the database; its file is written again later (writeFiles).
                // Integration and signing go on meanwhile.
                logger.warning("audit checkpoint file not written", metadata: ["code": "\(error.code.rawValue)"])
            } catch {
                if Task.isCancelled { break }
                // The reason is bilet's own text (SQLSTATE, constraint), never a server message.
                logger.warning("audit sequencer step failed", metadata: ["code": "\(error.code.rawValue)", "reason": "\(error.reason)"])
                failed = true
            }
            if failed {
                try? await Task.sleep(for: .seconds(1))
            } else if idle {
                try? await Task.sleep(for: pollInterval)
            }
        }
    }
}
