/// Proof that a leaf is in a tree of a given size (RFC 9162 §2.1.3): the sibling subtree hashes
/// along the path from the leaf to the root, bottom-up.
///
/// Checking needs only the proof, the leaf hash and the root hash (from a signed checkpoint).
public struct InclusionProof: Sendable, Hashable {
    /// The 0-based index of the leaf.
    public let leafIndex: UInt64
    /// The number of leaves in the tree the proof is for.
    public let treeSize: UInt64
    /// The audit path.
    public let hashes: [MerkleHash]

    /// Wraps a proof; nothing is checked until ``rootHash(leafHash:)``.
    public init(leafIndex: UInt64, treeSize: UInt64, hashes: [MerkleHash]) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.hashes = hashes
    }

    /// The root the proof leads to from `leafHash` (RFC 9162 §2.1.3.2, steps 1–5 without the
    /// final comparison).
    ///
    /// - Throws: ``AuditError/Code/proofInvalid`` when the index is not below the size or the
    ///   path has the wrong length.
    public func rootHash(leafHash: MerkleHash) throws(AuditError) -> MerkleHash {
        guard leafIndex < treeSize else {
            throw AuditError(.proofInvalid, "leaf index \(leafIndex) is not below tree size \(treeSize)")
        }
        var fn = leafIndex
        var sn = treeSize - 1
        var result = leafHash
        for sibling in hashes {
            guard sn != 0 else { throw AuditError(.proofInvalid, "inclusion path is longer than the tree is high") }
            if fn & 1 == 1 || fn == sn {
                result = MerkleHasher.nodeHash(sibling, result)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                result = MerkleHasher.nodeHash(result, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        guard sn == 0 else { throw AuditError(.proofInvalid, "inclusion path is shorter than the tree is high") }
        return result
    }

    /// Whether the proof shows `leafHash` at ``leafIndex`` in the tree whose root is `root`.
    public func verify(leafHash: MerkleHash, root: MerkleHash) -> Bool {
        guard let computed = try? rootHash(leafHash: leafHash) else { return false }
        return computed == root
    }
}

/// Proof that a tree of `fromSize` leaves is a prefix of a tree of `toSize` leaves
/// (RFC 9162 §2.1.4): nothing was removed, changed or reordered in between.
public struct ConsistencyProof: Sendable, Hashable {
    /// The older tree size.
    public let fromSize: UInt64
    /// The newer tree size.
    public let toSize: UInt64
    /// The proof hashes, in RFC 9162 order.
    public let hashes: [MerkleHash]

    /// Wraps a proof; nothing is checked until ``verify(fromRoot:toRoot:)``.
    public init(fromSize: UInt64, toSize: UInt64, hashes: [MerkleHash]) {
        self.fromSize = fromSize
        self.toSize = toSize
        self.hashes = hashes
    }

    /// Whether the proof shows that the tree with root `fromRoot` at ``fromSize`` is a prefix
    /// of the tree with root `toRoot` at ``toSize`` (RFC 9162 §2.1.4.2).
    public func verify(fromRoot: MerkleHash, toRoot: MerkleHash) -> Bool {
        if fromSize > toSize { return false }
        if fromSize == toSize { return hashes.isEmpty && fromRoot == toRoot }
        if fromSize == 0 { return hashes.isEmpty }
        guard !hashes.isEmpty else { return false }
        var path = hashes[...]
        if fromSize & (fromSize - 1) == 0 {
            path = ArraySlice([fromRoot] + hashes)
        }
        var fn = fromSize - 1
        var sn = toSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[path.startIndex]
        var sr = fr
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHasher.nodeHash(c, fr)
                sr = MerkleHasher.nodeHash(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 {
                        fn >>= 1
                        sn >>= 1
                    }
                }
            } else {
                sr = MerkleHasher.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && fr == fromRoot && sr == toRoot
    }
}
