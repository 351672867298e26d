/// A whole Merkle tree in memory: every complete perfect subtree's hash, level by level.
///
/// For tests, benchmarks and offline tools (recomputing a tree from an export). It costs about
/// 64 bytes per leaf.
public struct InMemoryMerkleTree: MerkleNodeSource {
    /// `levels[l][i]` is the hash of node (l, i).
    public private(set) var levels: [[MerkleHash]] = [[]]
    private var frontier = MerkleFrontier()

    /// An empty tree.
    public init() {}

    /// The number of leaves.
    public var size: UInt64 { frontier.size }
    /// The current root hash.
    public var root: MerkleHash { frontier.root }

    /// Appends a leaf input (hashed as an RFC 9162 leaf).
    public mutating func append(leafInput: [UInt8]) {
        append(leafHash: MerkleHasher.leafHash(leafInput))
    }

    /// Appends an already hashed leaf.
    public mutating func append(leafHash: MerkleHash) {
        levels[0].append(leafHash)
        var completedNodes: [(MerkleNodeID, MerkleHash)] = []
        frontier.append(leafHash) { completedNodes.append(($0, $1)) }
        for (node, hash) in completedNodes {
            if levels.count <= node.level { levels.append([]) }
            levels[node.level].append(hash)
        }
    }

    public func hashes(of nodes: [MerkleNodeID]) async throws(AuditError) -> [MerkleHash] {
        try nodes.map { (node) throws(AuditError) -> MerkleHash in try hash(of: node) }
    }

    /// The hash of one stored node.
    public func hash(of node: MerkleNodeID) throws(AuditError) -> MerkleHash {
        guard node.level < levels.count, node.index < UInt64(levels[node.level].count) else {
            throw AuditError(.notFound, "\(node) is not complete in a tree of \(size) leaves")
        }
        return levels[node.level][Int(node.index)]
    }
}
