public import PostgreSQL
import Foundation

/// One problem `bilet audit verify` found, naming the record or checkpoint concerned.
public enum AuditFinding: Sendable, Hashable, CustomStringConvertible {
    /// The record at this leaf no longer hashes to its leaf: it was edited (or swapped with another).
    case recordAltered(leafIndex: UInt64, eventID: Int64)
    /// The leaf's record is gone.
    case recordDeleted(leafIndex: UInt64, eventID: Int64)
    /// A leaf index is missing from the sequence of leaves.
    case leafMissing(leafIndex: UInt64)
    /// An event sits below the integration cursor without a leaf: it was inserted afterwards.
    case recordInserted(eventID: Int64)
    /// A payload is gone but no retention pruning is recorded for it.
    case payloadRemoved(leafIndex: UInt64, eventID: Int64)
    /// The checkpoint's signature does not verify with the log key (its text was edited or forged).
    case checkpointSignatureInvalid(sequence: UInt64)
    /// The checkpoint's note cannot be parsed.
    case checkpointMalformed(sequence: UInt64)
    /// The checkpoint's stored columns, or its number, differ from what its signed text says.
    case checkpointRowAltered(sequence: UInt64)
    /// A checkpoint number is missing (deleted).
    case checkpointMissing(sequence: UInt64)
    /// The records no longer produce the signed root: something among leaves
    /// `firstSuspectLeaf ..< treeSize` was changed (leaf hashes were rewritten to match).
    case checkpointRootMismatch(sequence: UInt64, treeSize: UInt64, firstSuspectLeaf: UInt64)
    /// The checkpoint covers more leaves than the log holds: the newest records were truncated.
    case truncated(sequence: UInt64, checkpointSize: UInt64, logSize: UInt64)
    /// Two validly signed checkpoints of the same size have different roots: a forked history.
    case fork(sequence: UInt64, otherSequence: UInt64, treeSize: UInt64)
    /// A later checkpoint is smaller than an earlier one.
    case checkpointsInconsistent(sequence: UInt64, nextSequence: UInt64)
    /// A checkpoint saved outside the database is not in the database (or differs there).
    case savedCheckpointMissing(sequence: UInt64, treeSize: UInt64)

    public var description: String {
        switch self {
        case .recordAltered(let leaf, let id): "record altered: leaf \(leaf) (event \(id)) does not match its leaf hash"
        case .recordDeleted(let leaf, let id): "record deleted: leaf \(leaf) (event \(id)) has no record"
        case .leafMissing(let leaf): "leaf missing: index \(leaf)"
        case .recordInserted(let id): "record inserted: event \(id) is not in the tree but older than integrated events"
        case .payloadRemoved(let leaf, let id): "payload removed without a retention record: leaf \(leaf) (event \(id))"
        case .checkpointSignatureInvalid(let sequence): "checkpoint \(sequence): signature does not verify"
        case .checkpointMalformed(let sequence): "checkpoint \(sequence): malformed note"
        case .checkpointRowAltered(let sequence): "checkpoint \(sequence): stored columns differ from the signed text"
        case .checkpointMissing(let sequence): "checkpoint \(sequence) is missing"
        case .checkpointRootMismatch(let sequence, let size, let first):
            "checkpoint \(sequence) (size \(size)): records no longer produce the signed root; changed leaves lie in \(first)..<\(size)"
        case .truncated(let sequence, let size, let logSize):
            "truncated: checkpoint \(sequence) covers \(size) leaves but the log holds \(logSize)"
        case .fork(let a, let b, let size): "fork: checkpoints \(a) and \(b) both have size \(size) but different roots"
        case .checkpointsInconsistent(let a, let b): "checkpoint \(b) is smaller than checkpoint \(a)"
        case .savedCheckpointMissing(let sequence, let size): "saved checkpoint \(sequence) (size \(size)) is not in the database"
        }
    }
}

/// The outcome of ``AuditVerifier/verify(savedCheckpoints:)``.
public struct AuditVerificationReport: Sendable, Hashable {
    /// Leaves (records) recomputed.
    public let recordsChecked: UInt64
    /// Checkpoints whose signature verified.
    public let checkpointsVerified: Int
    /// The newest verified checkpoint's size (0 without one).
    public let verifiedTreeSize: UInt64
    /// Problems, in the order found: records by leaf index first, then checkpoints.
    public let findings: [AuditFinding]

    /// Whether nothing was found.
    public var isIntact: Bool { findings.isEmpty }
}

/// Recomputes the Merkle tree from the records and checks it against every checkpoint.
///
/// For each leaf in order it recomputes the leaf hash from the record (its columns and the
/// SHA-256 of its payload, or the stored digest when retention pruned it) and compares it with
/// the stored leaf hash, naming the first altered, deleted or missing record. The recomputed
/// hashes (not the stored ones) build the tree, so a record edited together with its stored
/// leaf hash still fails against the signed root of every later checkpoint. Every checkpoint's
/// signature is checked with the log key, its number must follow the previous one, its stored
/// columns must match its signed text, sizes must not shrink, two checkpoints of one size must
/// agree (no fork), and its root must be the recomputed root at its size. Since all roots are
/// compared with prefixes of one recomputed tree, consecutive checkpoints are consistent exactly
/// when no finding is reported. Checkpoints saved outside the database (``CheckpointDirectory``)
/// are checked the same way and catch a truncation of the newest records with their checkpoints.
public struct AuditVerifier: Sendable {
    /// Reads as `bilet_audit` (or an administrator).
    public let pool: PostgresConnectionPool
    /// The log's public key.
    public let logKey: NoteVerifierKey
    /// Leaves read per statement.
    public let chunkSize: Int

    /// A verifier.
    public init(pool: PostgresConnectionPool, logKey: NoteVerifierKey, chunkSize: Int = 20_000) {
        self.pool = pool
        self.logKey = logKey
        self.chunkSize = max(1, chunkSize)
    }

    private struct ExpectedRoot {
        let sequence: UInt64
        let root: MerkleHash
    }

    /// Verifies the whole log.
    ///
    /// - Throws: ``AuditError/Code/unavailable`` or ``AuditError/Code/storage`` when the database
    ///   cannot be read; tampering is reported in the result, never thrown.
    public func verify(savedCheckpoints: [SignedCheckpoint] = []) async throws(AuditError) -> AuditVerificationReport {
        var findings: [AuditFinding] = []
        var checkpointFindings: [AuditFinding] = []
        let stored = try await PostgresAuditStore(pool: pool).checkpoints()

        // Checkpoints: signature, numbering, stored columns, sizes, forks.
        var valid: [(sequence: UInt64, checkpoint: Checkpoint)] = []
        var expectedSequence: UInt64 = 1
        for row in stored {
            while expectedSequence < row.sequence {
                checkpointFindings.append(.checkpointMissing(sequence: expectedSequence))
                expectedSequence += 1
            }
            expectedSequence = row.sequence + 1
            guard let signed = try? SignedCheckpoint(parsing: row.note) else {
                checkpointFindings.append(.checkpointMalformed(sequence: row.sequence))
                continue
            }
            guard (try? signed.verify(logKey: logKey)) != nil else {
                checkpointFindings.append(.checkpointSignatureInvalid(sequence: row.sequence))
                continue
            }
            let checkpoint = signed.checkpoint
            if checkpoint.sequence != row.sequence || checkpoint.size != row.treeSize || checkpoint.root != row.rootHash {
                checkpointFindings.append(.checkpointRowAltered(sequence: row.sequence))
            }
            valid.append((checkpoint.sequence ?? row.sequence, checkpoint))
        }
        for saved in savedCheckpoints {
            guard (try? saved.verify(logKey: logKey)) != nil else {
                checkpointFindings.append(.checkpointSignatureInvalid(sequence: saved.checkpoint.sequence ?? 0))
                continue
            }
            let sequence = saved.checkpoint.sequence ?? 0
            if !valid.contains(where: { $0.checkpoint == saved.checkpoint }) {
                checkpointFindings.append(.savedCheckpointMissing(sequence: sequence, treeSize: saved.checkpoint.size))
                valid.append((sequence, saved.checkpoint))
            }
        }
        var bySize: [UInt64: [ExpectedRoot]] = [:]
        for (sequence, checkpoint) in valid {
            if let other = bySize[checkpoint.size]?.first(where: { $0.root != checkpoint.root }) {
                checkpointFindings.append(.fork(sequence: other.sequence, otherSequence: sequence, treeSize: checkpoint.size))
            }
            bySize[checkpoint.size, default: []].append(ExpectedRoot(sequence: sequence, root: checkpoint.root))
        }
        let ordered = valid.sorted { $0.sequence < $1.sequence }
        for (earlier, later) in zip(ordered, ordered.dropFirst()) where later.checkpoint.size < earlier.checkpoint.size {
            checkpointFindings.append(.checkpointsInconsistent(sequence: earlier.sequence, nextSequence: later.sequence))
        }

        // Records: recompute every leaf and the tree.
        var frontier = MerkleFrontier()
        var nextIndex: UInt64 = 0
        var lastGoodSize: UInt64 = 0
        var cursor: (xid: String, id: Int64)?
        do {
            // The next chunk is fetched while the current one is hashed, and each chunk is
            // decoded and hashed on all cores; only the tree itself is built in order.
            var pending: Task<QueryResult, any Error>? = fetch(from: 0)
            while let task = pending {
                let rows = try await task.value
                guard let last = rows.last else { break }
                let lastIndex = try last.decode(Int64.self, at: 0)
                pending = fetch(from: lastIndex + 1)
                cursor = (try last.decode(String.self, at: 14), try last.decode(Int64.self, at: 1))
                for checked in try await Self.recompute(rows) {
                    while nextIndex < checked.leafIndex {
                        findings.append(.leafMissing(leafIndex: nextIndex))
                        // A missing leaf cannot be recomputed; the tree continues with a marker
                        // so later roots fail rather than silently shift.
                        frontier.append(MerkleHasher.emptyRoot)
                        nextIndex += 1
                        checkRoots(frontier, bySize, &lastGoodSize, &findings)
                    }
                    if let finding = checked.finding { findings.append(finding) }
                    frontier.append(checked.leafHash)
                    nextIndex = checked.leafIndex + 1
                    checkRoots(frontier, bySize, &lastGoodSize, &findings)
                }
            }
            // Events below the cursor without a leaf were inserted after integration.
            if let cursor {
                let orphans = try await pool.query(
                    """
                    SELECT e.id FROM audit.events e
                    WHERE (e.xid, e.id) < (CAST(\(cursor.xid) AS xid8), \(cursor.id))
                      AND NOT EXISTS (SELECT 1 FROM audit.leaves l WHERE l.event_id = e.id)
                    ORDER BY e.id LIMIT 1000
                    """)
                for row in orphans { findings.append(.recordInserted(eventID: try row.decode(Int64.self, at: 0))) }
            }
        } catch {
            throw AuditError.from(error, while: "reading the audit log")
        }
        for (sequence, checkpoint) in ordered where checkpoint.size > frontier.size {
            findings.append(.truncated(sequence: sequence, checkpointSize: checkpoint.size, logSize: frontier.size))
        }
        return AuditVerificationReport(
            recordsChecked: frontier.size, checkpointsVerified: valid.count,
            verifiedTreeSize: ordered.last?.checkpoint.size ?? 0, findings: findings + checkpointFindings)
    }

    /// One leaf after recomputation: the hash the tree uses and what is wrong with it, if anything.
    private struct RecomputedLeaf: Sendable {
        let leafIndex: UInt64
        let leafHash: MerkleHash
        let finding: AuditFinding?
    }

    private func fetch(from index: Int64) -> Task<QueryResult, any Error> {
        let pool = self.pool
        let limit = Int64(chunkSize)
        return Task {
            try await pool.query(
                """
                SELECT l.leaf_index, l.event_id, l.payload_digest, l.leaf_hash, e.id,
                       CAST(EXTRACT(EPOCH FROM e.recorded_at) * 1000000 AS int8), e.kind, e.catalogue_version, e.actor,
                       e.subject, e.decision, e.purpose, CAST(e.payload AS text),
                       CAST(EXTRACT(EPOCH FROM e.pruned_at) * 1000000 AS int8), CAST(l.event_xid AS text)
                FROM audit.leaves l LEFT JOIN audit.events e ON e.id = l.event_id
                WHERE l.leaf_index >= \(index)
                ORDER BY l.leaf_index
                LIMIT \(limit)
                """)
        }
    }

    /// Decodes and rehashes `rows` in parallel slices, in order.
    private static func recompute(_ rows: QueryResult) async throws -> [RecomputedLeaf] {
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows.count / 2_000))
        let size = (rows.count + slices - 1) / slices
        return try await withThrowingTaskGroup(of: (Int, [RecomputedLeaf]).self) { group in
            for slice in 0..<slices {
                let range = slice * size ..< min(rows.count, (slice + 1) * size)
                group.addTask { (slice, try range.map { try recompute(rows[$0]) }) }
            }
            var parts = Array(repeating: [RecomputedLeaf](), count: slices)
            for try await (slice, part) in group { parts[slice] = part }
            return parts.flatMap { $0 }
        }
    }

    private static func recompute(_ row: Row) throws -> RecomputedLeaf {
        let (leaf, record) = try PostgresAuditStore.decodeLeafRow(row)
        guard let record else {
            return RecomputedLeaf(leafIndex: leaf.index, leafHash: MerkleHasher.emptyRoot,
                                  finding: .recordDeleted(leafIndex: leaf.index, eventID: leaf.eventID))
        }
        var digest = record.payloadDigest
        var finding: AuditFinding?
        if record.payload == nil {
            digest = leaf.payloadDigest
            if record.prunedAtMicroseconds == nil {
                finding = .payloadRemoved(leafIndex: leaf.index, eventID: leaf.eventID)
            }
        }
        let leafHash = record.leafHash(payloadDigest: digest)
        if record.id != leaf.eventID || leafHash != leaf.leafHash || digest != leaf.payloadDigest {
            finding = .recordAltered(leafIndex: leaf.index, eventID: leaf.eventID)
        }
        return RecomputedLeaf(leafIndex: leaf.index, leafHash: leafHash, finding: finding)
    }

    private func checkRoots(
        _ frontier: MerkleFrontier, _ bySize: [UInt64: [ExpectedRoot]], _ lastGoodSize: inout UInt64, _ findings: inout [AuditFinding]
    ) {
        guard let expected = bySize[frontier.size] else { return }
        let root = frontier.root
        var allMatch = true
        for entry in expected where entry.root != root {
            allMatch = false
            findings.append(.checkpointRootMismatch(sequence: entry.sequence, treeSize: frontier.size, firstSuspectLeaf: lastGoodSize))
        }
        if allMatch { lastGoodSize = frontier.size }
    }
}
