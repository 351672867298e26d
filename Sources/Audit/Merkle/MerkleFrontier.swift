/// The right edge of an append-only Merkle tree (a compact range over `0 ..< size`): the roots
/// of the perfect subtrees whose concatenation is the whole tree, largest first.
///
/// It holds at most 64 hashes, appends a leaf in amortised one node hash, and gives the root
/// of the current tree. The sequencer keeps one in memory and reports every perfect node that
/// becomes complete so it can be stored for proofs.
public struct MerkleFrontier: Sendable, Equatable {
    /// The number of leaves.
    public private(set) var size: UInt64
    /// Roots of the perfect subtrees, left to right (decreasing height).
    public private(set) var hashes: [MerkleHash]

    /// The empty tree.
    public init() {
        size = 0
        hashes = []
    }

    /// A frontier for a tree of `size` leaves from the hashes of
    /// ``nodeIDs(forSize:)`` (left to right).
    ///
    /// - Throws: ``AuditError/Code/inconsistentState`` when the count does not match `size`.
    public init(size: UInt64, hashes: [MerkleHash]) throws(AuditError) {
        guard hashes.count == size.nonzeroBitCount else {
            throw AuditError(.inconsistentState, "a frontier of size \(size) needs \(size.nonzeroBitCount) hashes, got \(hashes.count)")
        }
        self.size = size
        self.hashes = hashes
    }

    /// The perfect subtrees that make up a tree of `size` leaves, left to right.
    public static func nodeIDs(forSize size: UInt64) -> [MerkleNodeID] {
        MerkleTreeMath.perfectSubtrees(covering: 0 ..< size)
    }

    /// Appends a leaf hash; `completed` is told every interior node (level ≥ 1) that this leaf
    /// completes, lowest first.
    public mutating func append(_ leafHash: MerkleHash, completed: (MerkleNodeID, MerkleHash) -> Void = { _, _ in }) {
        var hash = leafHash
        var index = size
        var level = 0
        while index & 1 == 1 {
            hash = MerkleHasher.nodeHash(hashes.removeLast(), hash)
            index >>= 1
            level += 1
            completed(MerkleNodeID(level: level, index: index), hash)
        }
        hashes.append(hash)
        size += 1
    }

    /// The root hash of the current tree (``MerkleHasher/emptyRoot`` when empty).
    public var root: MerkleHash {
        MerkleTreeMath.foldRange(hashes)
    }
}
