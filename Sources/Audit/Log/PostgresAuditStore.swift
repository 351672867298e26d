public import PostgreSQL
import Foundation

/// Read access to the audit tables (as `bilet_audit`): tree nodes for proofs, leaves, records and
/// checkpoints. Every method is one or two statements; nothing here writes.
public struct PostgresAuditStore: MerkleNodeSource {
    /// The pool, connecting as `bilet_audit` (or an administrator).
    public let pool: PostgresConnectionPool

    /// A store reading through `pool`.
    public init(pool: PostgresConnectionPool) {
        self.pool = pool
    }

    /// One row of `audit.leaves`.
    public struct Leaf: Sendable, Hashable {
        /// The leaf index.
        public let index: UInt64
        /// The event it commits to.
        public let eventID: Int64
        /// SHA-256 of the payload at integration.
        public let payloadDigest: MerkleHash
        /// The stored leaf hash.
        public let leafHash: MerkleHash
    }

    /// A checkpoint row as stored, not yet verified.
    public struct StoredCheckpoint: Sendable, Hashable {
        /// `audit.checkpoints.sequence`.
        public let sequence: UInt64
        /// The size column.
        public let treeSize: UInt64
        /// The root column.
        public let rootHash: MerkleHash?
        /// The signed note text.
        public let note: String
    }

    public func hashes(of nodes: [MerkleNodeID]) async throws(AuditError) -> [MerkleHash] {
        do {
            return try await pool.withConnection { connection in
                try await Self.hashes(of: nodes, on: connection)
            }
        } catch {
            throw AuditError.from(error, while: "reading tree nodes")
        }
    }

    /// The hashes of `nodes`: leaves from `audit.leaves`, interior nodes from `audit.tree_nodes`,
    /// in one statement.
    static func hashes(of nodes: [MerkleNodeID], on connection: PostgresConnection) async throws -> [MerkleHash] {
        guard !nodes.isEmpty else { return [] }
        let leafIndices = nodes.filter { $0.level == 0 }.map { String($0.index) }
        let nodeKeys = nodes.filter { $0.level > 0 }.map { String($0.storageKey) }
        let rows = try await connection.query(
            """
            SELECT 1, node_key, hash FROM audit.tree_nodes
            WHERE node_key = ANY(CAST(\("{" + nodeKeys.joined(separator: ",") + "}") AS bigint[]))
            UNION ALL
            SELECT 0, leaf_index, leaf_hash FROM audit.leaves
            WHERE leaf_index = ANY(CAST(\("{" + leafIndices.joined(separator: ",") + "}") AS bigint[]))
            """)
        var found: [Int64: MerkleHash] = [:]
        var leaves: [Int64: MerkleHash] = [:]
        for row in rows {
            let key = try row.decode(Int64.self, at: 1)
            guard let hash = MerkleHash(bytes: try row.decode([UInt8].self, at: 2)) else {
                throw AuditError(.inconsistentState, "a stored hash is not 32 bytes")
            }
            if try row.decode(Int32.self, at: 0) == 1 { found[key] = hash } else { leaves[key] = hash }
        }
        return try nodes.map { (node) throws(AuditError) -> MerkleHash in
            let hash = node.level == 0 ? leaves[Int64(node.index)] : found[node.storageKey]
            guard let hash else { throw AuditError(.notFound, "\(node) is not stored") }
            return hash
        }
    }

    /// The number of integrated leaves.
    public func treeSize() async throws(AuditError) -> UInt64 {
        do {
            return try await pool.withConnection { try await Self.treeSize(on: $0) }
        } catch {
            throw AuditError.from(error, while: "reading the tree size")
        }
    }

    static func treeSize(on connection: PostgresConnection) async throws -> UInt64 {
        let size = try await connection.query("SELECT coalesce(max(leaf_index) + 1, 0) FROM audit.leaves").singleValue(Int64.self)
        return UInt64(size)
    }

    /// Every checkpoint row, by sequence (for tools and tests on small logs; ``AuditVerifier``
    /// streams them instead).
    public func checkpoints() async throws(AuditError) -> [StoredCheckpoint] {
        do {
            let rows = try await pool.query("SELECT sequence, tree_size, root_hash, note FROM audit.checkpoints ORDER BY sequence")
            return try rows.map { row in
                StoredCheckpoint(
                    sequence: UInt64(try row.decode(Int64.self, at: 0)), treeSize: UInt64(max(0, try row.decode(Int64.self, at: 1))),
                    rootHash: MerkleHash(bytes: try row.decode([UInt8].self, at: 2)), note: try row.decode(String.self, at: 3))
            }
        } catch {
            throw AuditError.from(error, while: "reading checkpoints")
        }
    }

    /// The newest checkpoint with its witness cosignatures, parsed (not verified); nil before the first.
    public func latestCheckpoint() async throws(AuditError) -> SignedCheckpoint? {
        try await checkpoint(sequence: nil)
    }

    /// The checkpoint numbered `sequence` (the newest when nil), with its witness cosignatures.
    public func checkpoint(sequence: UInt64?) async throws(AuditError) -> SignedCheckpoint? {
        do {
            let rows: QueryResult
            if let sequence {
                // A sequence number beyond the column's range names no checkpoint (and must not trap).
                guard let number = Int64(exactly: sequence) else { return nil }
                rows = try await pool.query("SELECT sequence, note FROM audit.checkpoints WHERE sequence = \(number)")
            } else {
                rows = try await pool.query("SELECT sequence, note FROM audit.checkpoints ORDER BY sequence DESC LIMIT 1")
            }
            guard let row = rows.first else { return nil }
            var signed = try SignedCheckpoint(parsing: try row.decode(String.self, at: 1))
            let cosignatures = try await pool.query(
                "SELECT signature_line FROM audit.checkpoint_cosignatures WHERE sequence = \(try row.decode(Int64.self, at: 0)) ORDER BY added_at")
            for line in cosignatures {
                let parsed = try SignedNote(parsing: signed.checkpoint.text + "\n" + (try line.decode(String.self, at: 0)))
                for signature in parsed.signatures where !signed.note.signatures.contains(signature) { signed.add(signature) }
            }
            return signed
        } catch {
            throw AuditError.from(error, while: "reading a checkpoint")
        }
    }

    /// The first checkpoint of exactly `size` leaves.
    public func checkpoint(size: UInt64) async throws(AuditError) -> SignedCheckpoint? {
        do {
            let rows = try await pool.query(
                "SELECT sequence FROM audit.checkpoints WHERE tree_size = \(Int64(size)) ORDER BY sequence LIMIT 1")
            guard let row = rows.first else { return nil }
            return try await checkpoint(sequence: UInt64(try row.decode(Int64.self, at: 0)))
        } catch {
            throw AuditError.from(error, while: "reading a checkpoint")
        }
    }

    /// Stores a witness's cosignature line for checkpoint `sequence`. The line must verify
    /// against `witness` before it is stored.
    ///
    /// - Throws: ``AuditError/Code/signatureInvalid``, ``AuditError/Code/notFound``.
    public func addCosignature(_ signature: NoteSignature, sequence: UInt64, witness: NoteVerifierKey) async throws(AuditError) {
        guard let checkpoint = try await checkpoint(sequence: sequence) else {
            throw AuditError(.notFound, "no checkpoint \(sequence)")
        }
        guard signature.isValid(for: checkpoint.checkpoint.text, by: witness) else {
            throw AuditError(.signatureInvalid, "cosignature by \(witness.name) does not verify")
        }
        do {
            try await pool.execute(
                "INSERT INTO audit.checkpoint_cosignatures (sequence, signature_line) VALUES (\(Int64(sequence)), \(signature.line)) ON CONFLICT DO NOTHING")
        } catch {
            throw AuditError.from(error, while: "storing a cosignature")
        }
    }

    /// The leaf at `index` and its record (nil when the record is gone).
    public func leaf(at index: UInt64) async throws(AuditError) -> (Leaf, AuditRecord?)? {
        do {
            let rows = try await pool.query(
                """
                SELECT l.leaf_index, l.event_id, l.payload_digest, l.leaf_hash, e.id,
                       CAST(EXTRACT(EPOCH FROM e.recorded_at) * 1000000 AS int8), e.kind, e.catalogue_version, e.actor,
                       e.subject, e.decision, e.purpose, CAST(e.payload AS text),
                       CAST(EXTRACT(EPOCH FROM e.pruned_at) * 1000000 AS int8), CAST(e.written_by AS text)
                FROM audit.leaves l LEFT JOIN audit.events e ON e.id = l.event_id
                WHERE l.leaf_index = \(Int64(index))
                """)
            guard let row = rows.first else { return nil }
            return try Self.decodeLeafRow(row)
        } catch {
            throw AuditError.from(error, while: "reading a leaf")
        }
    }

    /// Decodes a row of the leaf/event join (the column order every leaf query uses: leaf index,
    /// event id, payload digest, leaf hash, then the event's columns, `pruned_at` and `written_by`).
    static func decodeLeafRow(_ row: Row) throws -> (Leaf, AuditRecord?) {
        guard let payloadDigest = MerkleHash(bytes: try row.decode([UInt8].self, at: 2)),
              let leafHash = MerkleHash(bytes: try row.decode([UInt8].self, at: 3))
        else { throw AuditError(.inconsistentState, "a stored hash is not 32 bytes") }
        let leaf = Leaf(
            index: UInt64(try row.decode(Int64.self, at: 0)), eventID: try row.decode(Int64.self, at: 1),
            payloadDigest: payloadDigest, leafHash: leafHash)
        guard let id = try row.decode(Int64?.self, at: 4) else { return (leaf, nil) }
        let record = AuditRecord(
            id: id, recordedAtMicroseconds: try row.decode(Int64.self, at: 5), kind: try row.decode(String.self, at: 6),
            catalogueVersion: try row.decode(Int?.self, at: 7), actor: try row.decode(String?.self, at: 8),
            subject: try row.decode(String?.self, at: 9), decision: try row.decode(String?.self, at: 10),
            purpose: try row.decode(String?.self, at: 11), payload: try row.decode(String?.self, at: 12),
            prunedAtMicroseconds: try row.decode(Int64?.self, at: 13), writtenBy: try row.decode(String?.self, at: 14))
        return (leaf, record)
    }
}
