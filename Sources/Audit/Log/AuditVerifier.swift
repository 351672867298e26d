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

/// The first record `verify` found changed: its leaf, its event and the event's kind (as the
/// record now reads; nil when the record or its leaf is gone).
public struct ChangedRecord: Sendable, Hashable, CustomStringConvertible {
    /// The leaf index.
    public let leafIndex: UInt64
    /// The event id, when the leaf names one.
    public let eventID: Int64?
    /// The event type, when the record is still there.
    public let kind: String?

    /// A changed record.
    public init(leafIndex: UInt64, eventID: Int64?, kind: String?) {
        self.leafIndex = leafIndex
        self.eventID = eventID
        self.kind = kind
    }

    public var description: String {
        "leaf \(leafIndex), event \(eventID.map(String.init) ?? "unknown"), kind \(kind ?? "unknown (record gone)")"
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
    /// The first record (in leaf order) that no longer matches its leaf, is gone or has lost its
    /// payload without a retention record; nil when no record-level problem was found (a changed
    /// record whose leaf hash was rewritten to match shows only as a checkpoint root mismatch).
    public let firstChangedRecord: ChangedRecord?

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

    /// A checkpoint row as the size-ordered pass reads it.
    private struct SizedCheckpoint: Sendable {
        let sequence: UInt64
        let size: UInt64
        let root: MerkleHash
    }

    /// What the sequence-ordered pass learned about the checkpoints.
    private struct CheckpointPass {
        var findings: [AuditFinding] = []
        /// Checkpoints whose row cannot be trusted (bad signature, malformed, altered columns).
        var untrusted = Set<UInt64>()
        var verifiedCount = 0
        var newestSize: UInt64 = 0
    }

    /// Verifies the whole log.
    ///
    /// Memory does not grow with the number of records or checkpoints: records are read in
    /// chunks in leaf order, checkpoints first in number order (signatures, numbering, stored
    /// columns, sizes) and then in size order, merged with the recomputed tree.
    ///
    /// - Throws: ``AuditError/Code/unavailable`` or ``AuditError/Code/storage`` when the database
    ///   cannot be read; tampering is reported in the result, never thrown.
    public func verify(savedCheckpoints: [SignedCheckpoint] = []) async throws(AuditError) -> AuditVerificationReport {
        var findings: [AuditFinding] = []
        var pass: CheckpointPass
        var extra: [UInt64: [ExpectedRoot]] = [:]
        var frontier = MerkleFrontier()
        var truncatedCount = 0
        var firstChanged: ChangedRecord?
        do {
            pass = try await checkCheckpoints()
            // Checkpoints saved outside the database: each must be in it, and is compared with the
            // recomputed tree like the stored ones.
            for saved in savedCheckpoints {
                let sequence = saved.checkpoint.sequence ?? 0
                guard (try? saved.verify(logKey: logKey)) != nil else {
                    pass.findings.append(.checkpointSignatureInvalid(sequence: sequence))
                    continue
                }
                let stored = try await pool.query(
                    "SELECT tree_size, root_hash FROM audit.checkpoints WHERE sequence = \(Int64(sequence))")
                var matches = false
                if let row = stored.first {
                    let size = UInt64(try row.decode(Int64.self, at: 0))
                    let root = MerkleHash(bytes: try row.decode([UInt8].self, at: 1))
                    matches = size == saved.checkpoint.size && root == saved.checkpoint.root
                }
                if !matches || pass.untrusted.contains(sequence) {
                    pass.findings.append(.savedCheckpointMissing(sequence: sequence, treeSize: saved.checkpoint.size))
                }
                extra[saved.checkpoint.size, default: []].append(ExpectedRoot(sequence: sequence, root: saved.checkpoint.root))
                pass.newestSize = max(pass.newestSize, saved.checkpoint.size)
            }

            // Records, merged with the trusted checkpoints in size order.
            var sizedBuffer: [SizedCheckpoint] = []
            var sizedPosition = 0
            var sizedCursor: (size: Int64, sequence: Int64) = (-1, 0)
            var sizedExhausted = false
            var lastGoodSize: UInt64 = 0
            var previousSameSize: SizedCheckpoint?

            /// The next trusted checkpoint in (size, sequence) order, without consuming it.
            func peekSized() async throws -> SizedCheckpoint? {
                while sizedPosition == sizedBuffer.count {
                    if sizedExhausted { return nil }
                    let rows = try await pool.query(
                        """
                        SELECT sequence, tree_size, root_hash FROM audit.checkpoints
                        WHERE (tree_size, sequence) > (\(sizedCursor.size), \(sizedCursor.sequence))
                        ORDER BY tree_size, sequence LIMIT 10000
                        """)
                    sizedBuffer = []
                    sizedPosition = 0
                    if rows.count < 10_000 { sizedExhausted = true }
                    for row in rows {
                        let sequence = try row.decode(Int64.self, at: 0)
                        let size = try row.decode(Int64.self, at: 1)
                        sizedCursor = (size, sequence)
                        guard !pass.untrusted.contains(UInt64(sequence)),
                              let root = MerkleHash(bytes: try row.decode([UInt8].self, at: 2))
                        else { continue }
                        sizedBuffer.append(SizedCheckpoint(sequence: UInt64(sequence), size: UInt64(max(0, size)), root: root))
                    }
                }
                return sizedBuffer[sizedPosition]
            }

            /// Compares every checkpoint of the frontier's size with its root.
            func checkRoots() async throws {
                let size = frontier.size
                var root: MerkleHash?
                var mismatch = false
                while let next = try await peekSized(), next.size <= size {
                    sizedPosition += 1
                    guard next.size == size else { continue }  // below the frontier: cannot happen in size order
                    let current = root ?? frontier.root
                    root = current
                    if next.root != current {
                        mismatch = true
                        findings.append(.checkpointRootMismatch(sequence: next.sequence, treeSize: size, firstSuspectLeaf: lastGoodSize))
                    }
                    if let previous = previousSameSize, previous.size == size, previous.root != next.root {
                        pass.findings.append(.fork(sequence: previous.sequence, otherSequence: next.sequence, treeSize: size))
                    }
                    previousSameSize = next
                }
                if let expected = extra[size] {
                    let current = root ?? frontier.root
                    root = current
                    for entry in expected where entry.root != current {
                        mismatch = true
                        findings.append(.checkpointRootMismatch(sequence: entry.sequence, treeSize: size, firstSuspectLeaf: lastGoodSize))
                    }
                }
                if root != nil && !mismatch { lastGoodSize = size }
            }

            try await checkRoots()
            var nextIndex: UInt64 = 0
            var cursor: (xid: String, id: Int64)?
            // The next chunk is fetched while the current one is hashed, and each chunk is
            // decoded and hashed on all cores; only the tree itself is built in order.
            var pending: Task<QueryResult, any Error>? = fetch(from: 0)
            while let task = pending {
                let rows = try await task.value
                guard let last = rows.last else { break }
                let lastIndex = try last.decode(Int64.self, at: 0)
                pending = fetch(from: lastIndex + 1)
                cursor = (try last.decode(String.self, at: 15), try last.decode(Int64.self, at: 1))
                for checked in try await Self.recompute(rows) {
                    while nextIndex < checked.leafIndex {
                        findings.append(.leafMissing(leafIndex: nextIndex))
                        if firstChanged == nil { firstChanged = ChangedRecord(leafIndex: nextIndex, eventID: nil, kind: nil) }
                        // A missing leaf cannot be recomputed; the tree continues with a marker
                        // so later roots fail rather than silently shift.
                        frontier.append(MerkleHasher.emptyRoot)
                        nextIndex += 1
                        try await checkRoots()
                    }
                    if let finding = checked.finding {
                        findings.append(finding)
                        if firstChanged == nil {
                            firstChanged = ChangedRecord(leafIndex: checked.leafIndex, eventID: checked.eventID, kind: checked.kind)
                        }
                    }
                    frontier.append(checked.leafHash)
                    nextIndex = checked.leafIndex + 1
                    try await checkRoots()
                }
            }
            // Checkpoints beyond the end of the log: the newest records were truncated.
            while let next = try await peekSized() {
                sizedPosition += 1
                truncatedCount += 1
                if truncatedCount <= 100 {
                    findings.append(.truncated(sequence: next.sequence, checkpointSize: next.size, logSize: frontier.size))
                }
            }
            for (size, entries) in extra.sorted(by: { $0.key < $1.key }) where size > frontier.size {
                for entry in entries {
                    findings.append(.truncated(sequence: entry.sequence, checkpointSize: size, logSize: frontier.size))
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
        return AuditVerificationReport(
            recordsChecked: frontier.size, checkpointsVerified: pass.verifiedCount,
            verifiedTreeSize: pass.newestSize, findings: findings + pass.findings, firstChangedRecord: firstChanged)
    }

    /// Reads every checkpoint in number order: numbering without gaps, a parseable note, a valid
    /// signature (checked on all cores), stored columns equal to the signed text, sizes that never
    /// shrink.
    private func checkCheckpoints() async throws -> CheckpointPass {
        var pass = CheckpointPass()
        var expectedSequence: UInt64 = 1
        var previous: (sequence: UInt64, size: UInt64)?
        var after: Int64 = 0
        let logKey = self.logKey
        while true {
            let rows = try await pool.query(
                "SELECT sequence, tree_size, root_hash, note FROM audit.checkpoints WHERE sequence > \(after) ORDER BY sequence LIMIT 5000")
            guard let last = rows.last else { break }
            after = try last.decode(Int64.self, at: 0)
            enum Status: Sendable {
                case malformed, badSignature
                case valid(Checkpoint)
            }
            let statuses: [Status] = await withTaskGroup(of: (Int, [Status]).self) { group in
                let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
                let slice = (rows.count + cores - 1) / cores
                for part in 0..<cores {
                    let range = part * slice ..< min(rows.count, (part + 1) * slice)
                    group.addTask {
                        (part, range.map { index in
                            guard let note = try? rows[index].decode(String.self, at: 3),
                                  let signed = try? SignedCheckpoint(parsing: note) else { return .malformed }
                            guard (try? signed.verify(logKey: logKey)) != nil else { return .badSignature }
                            return .valid(signed.checkpoint)
                        })
                    }
                }
                var parts = Array(repeating: [Status](), count: cores)
                for await (part, statuses) in group { parts[part] = statuses }
                return parts.flatMap { $0 }
            }
            for (row, status) in zip(rows, statuses) {
                let sequence = UInt64(try row.decode(Int64.self, at: 0))
                while expectedSequence < sequence {
                    pass.findings.append(.checkpointMissing(sequence: expectedSequence))
                    expectedSequence += 1
                }
                expectedSequence = sequence + 1
                switch status {
                case .malformed:
                    pass.findings.append(.checkpointMalformed(sequence: sequence))
                    pass.untrusted.insert(sequence)
                case .badSignature:
                    pass.findings.append(.checkpointSignatureInvalid(sequence: sequence))
                    pass.untrusted.insert(sequence)
                case .valid(let checkpoint):
                    pass.verifiedCount += 1
                    let size = try row.decode(Int64.self, at: 1)
                    let root = MerkleHash(bytes: try row.decode([UInt8].self, at: 2))
                    if checkpoint.sequence != sequence || Int64(exactly: checkpoint.size) != size || root != checkpoint.root {
                        pass.findings.append(.checkpointRowAltered(sequence: sequence))
                        pass.untrusted.insert(sequence)
                        continue
                    }
                    if let previous, checkpoint.size < previous.size {
                        pass.findings.append(.checkpointsInconsistent(sequence: previous.sequence, nextSequence: sequence))
                    }
                    previous = (sequence, checkpoint.size)
                    pass.newestSize = max(pass.newestSize, checkpoint.size)
                }
            }
        }
        return pass
    }

    /// One leaf after recomputation: the hash the tree uses, when its record was recorded (nil
    /// when the record is gone) and what is wrong with it, if anything.
    struct RecomputedLeaf: Sendable {
        let leafIndex: UInt64
        let leafHash: MerkleHash
        let recordedAtMicroseconds: Int64?
        let finding: AuditFinding?
        /// The leaf's event id and, while the record exists, its kind.
        var eventID: Int64? = nil
        var kind: String? = nil
    }

    private func fetch(from index: Int64) -> Task<QueryResult, any Error> {
        let pool = self.pool
        let limit = Int64(chunkSize)
        return Task { try await Self.leafRows(from: index, limit: limit, pool: pool) }
    }

    /// Up to `limit` leaves from index `index` on, in index order, each with its record (the
    /// columns ``PostgresAuditStore/decodeLeafRow(_:)`` reads, then the leaf's transaction id).
    static func leafRows(from index: Int64, limit: Int64, pool: PostgresConnectionPool) async throws -> QueryResult {
        try await pool.query(
            """
            SELECT l.leaf_index, l.event_id, l.payload_digest, l.leaf_hash, e.id,
                   CAST(EXTRACT(EPOCH FROM e.recorded_at) * 1000000 AS int8), e.kind, e.catalogue_version, e.actor,
                   e.subject, e.decision, e.purpose, CAST(e.payload AS text),
                   CAST(EXTRACT(EPOCH FROM e.pruned_at) * 1000000 AS int8), CAST(e.written_by AS text), CAST(l.event_xid AS text)
            FROM audit.leaves l LEFT JOIN audit.events e ON e.id = l.event_id
            WHERE l.leaf_index >= \(index)
            ORDER BY l.leaf_index
            LIMIT \(limit)
            """)
    }

    /// Decodes and rehashes `rows` (from ``leafRows(from:limit:pool:)``) in parallel slices, in order.
    static func recompute(_ rows: QueryResult) async throws -> [RecomputedLeaf] {
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
            return RecomputedLeaf(leafIndex: leaf.index, leafHash: MerkleHasher.emptyRoot, recordedAtMicroseconds: nil,
                                  finding: .recordDeleted(leafIndex: leaf.index, eventID: leaf.eventID), eventID: leaf.eventID)
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
        return RecomputedLeaf(
            leafIndex: leaf.index, leafHash: leafHash, recordedAtMicroseconds: record.recordedAtMicroseconds, finding: finding,
            eventID: leaf.eventID, kind: record.kind)
    }

}
