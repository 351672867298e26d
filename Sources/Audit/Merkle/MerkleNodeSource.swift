/// Where the hashes of complete perfect subtrees come from: the database (``PostgresAuditStore``)
/// or memory (``InMemoryMerkleTree``).
public protocol MerkleNodeSource: Sendable {
    /// The hashes of `nodes`, in the same order. Every node lies wholly within the tree.
    ///
    /// - Throws: ``AuditError/Code/notFound`` when a node is not stored, or a storage error.
    func hashes(of nodes: [MerkleNodeID]) async throws(AuditError) -> [MerkleHash]
}

extension MerkleNodeSource {
    /// The root hash of the tree's first `size` leaves.
    public func rootHash(size: UInt64) async throws(AuditError) -> MerkleHash {
        let nodes = MerkleTreeMath.perfectSubtrees(covering: 0 ..< size)
        return MerkleTreeMath.foldRange(try await hashes(of: nodes))
    }

    /// The inclusion proof of leaf `leafIndex` in the tree of `treeSize` leaves, from
    /// O(log n) stored nodes fetched in one call.
    ///
    /// - Throws: ``AuditError/Code/invalidArgument`` unless `leafIndex < treeSize`.
    public func inclusionProof(leafIndex: UInt64, treeSize: UInt64) async throws(AuditError) -> InclusionProof {
        guard leafIndex < treeSize else {
            throw AuditError(.invalidArgument, "leaf \(leafIndex) is not below tree size \(treeSize)")
        }
        let ranges = MerkleTreeMath.inclusionRanges(index: leafIndex, size: treeSize)
        return InclusionProof(leafIndex: leafIndex, treeSize: treeSize, hashes: try await rangeHashes(ranges))
    }

    /// The consistency proof from the tree of `from` leaves to the tree of `to` leaves.
    ///
    /// - Throws: ``AuditError/Code/invalidArgument`` unless `from <= to`.
    public func consistencyProof(from: UInt64, to: UInt64) async throws(AuditError) -> ConsistencyProof {
        guard from <= to else {
            throw AuditError(.invalidArgument, "consistency from \(from) to \(to): sizes in the wrong order")
        }
        let ranges = MerkleTreeMath.consistencyRanges(from: from, to: to)
        return ConsistencyProof(fromSize: from, toSize: to, hashes: try await rangeHashes(ranges))
    }

    /// Hashes of RFC 9162 subtree ranges, fetched together.
    func rangeHashes(_ ranges: [Range<UInt64>]) async throws(AuditError) -> [MerkleHash] {
        let perRange = ranges.map { MerkleTreeMath.perfectSubtrees(covering: $0) }
        var unique: [MerkleNodeID] = []
        var seen = Set<MerkleNodeID>()
        for node in perRange.joined() where seen.insert(node).inserted {
            unique.append(node)
        }
        let fetched = try await hashes(of: unique)
        guard fetched.count == unique.count else {
            throw AuditError(.inconsistentState, "node source answered \(fetched.count) hashes for \(unique.count) nodes")
        }
        let byNode = Dictionary(uniqueKeysWithValues: zip(unique, fetched))
        return perRange.map { nodes in MerkleTreeMath.foldRange(nodes.map { byNode[$0]! }) }
    }
}
