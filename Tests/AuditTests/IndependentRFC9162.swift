import GnuTLS

/// A second, independent implementation of RFC 9162 §2.1 written from the RFC's recursive
/// definitions (MTH, PATH, SUBPROOF), used to check the production code. It shares nothing with
/// the Audit target: bytes are plain arrays, hashing calls GnuTLS directly, and proofs are
/// verified by recursion over the definitions instead of the RFC's bit-shifting algorithms.
enum IndependentRFC9162 {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        try! Digest.hash(.sha256, of: bytes)
    }

    static func leaf(_ input: [UInt8]) -> [UInt8] { sha256([0x00] + input) }
    static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { sha256([0x01] + left + right) }

    /// k: the largest power of two smaller than n (n > 1).
    static func split(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    /// MTH(D[n]) over leaf inputs.
    static func treeHash(_ inputs: ArraySlice<[UInt8]>) -> [UInt8] {
        switch inputs.count {
        case 0: return sha256([])
        case 1: return leaf(inputs.first!)
        default:
            let k = split(inputs.count)
            let start = inputs.startIndex
            return node(treeHash(inputs[start ..< start + k]), treeHash(inputs[(start + k)...]))
        }
    }

    /// The root an inclusion proof leads to, by walking PATH(m, D[n]) backwards: the last proof
    /// element is the sibling at the top of the tree. Nil when the proof has the wrong shape.
    static func rootFromInclusion(index m: Int, size n: Int, leafHash: [UInt8], proof: ArraySlice<[UInt8]>) -> [UInt8]? {
        guard m >= 0, m < n else { return nil }
        if n == 1 { return proof.isEmpty ? leafHash : nil }
        guard let sibling = proof.last, sibling.count == 32 else { return nil }
        let k = split(n)
        if m < k {
            guard let left = rootFromInclusion(index: m, size: k, leafHash: leafHash, proof: proof.dropLast()) else { return nil }
            return node(left, sibling)
        } else {
            guard let right = rootFromInclusion(index: m - k, size: n - k, leafHash: leafHash, proof: proof.dropLast()) else { return nil }
            return node(sibling, right)
        }
    }

    static func verifyInclusion(index: Int, size: Int, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]) -> Bool {
        rootFromInclusion(index: index, size: size, leafHash: leafHash, proof: proof[...]) == root
    }

    /// Walks SUBPROOF(m, D[n], b) backwards and returns (old subtree hash, new subtree hash).
    static func consistencyRoots(
        m: Int, n: Int, complete: Bool, oldRoot: [UInt8], proof: ArraySlice<[UInt8]>
    ) -> (old: [UInt8], new: [UInt8])? {
        if m == n {
            if complete { return proof.isEmpty ? (oldRoot, oldRoot) : nil }
            guard proof.count == 1, proof.first!.count == 32 else { return nil }
            return (proof.first!, proof.first!)
        }
        guard let last = proof.last, last.count == 32, n > 1 else { return nil }
        let k = split(n)
        if m <= k {
            guard let inner = consistencyRoots(m: m, n: k, complete: complete, oldRoot: oldRoot, proof: proof.dropLast()) else { return nil }
            return (inner.old, node(inner.new, last))
        } else {
            guard let inner = consistencyRoots(m: m - k, n: n - k, complete: false, oldRoot: oldRoot, proof: proof.dropLast()) else { return nil }
            return (node(last, inner.old), node(last, inner.new))
        }
    }

    static func verifyConsistency(from m: Int, to n: Int, oldRoot: [UInt8], newRoot: [UInt8], proof: [[UInt8]]) -> Bool {
        guard m <= n else { return false }
        if m == n { return proof.isEmpty && oldRoot == newRoot }
        if m == 0 { return proof.isEmpty }
        guard let roots = consistencyRoots(m: m, n: n, complete: true, oldRoot: oldRoot, proof: proof[...]) else { return false }
        return roots.old == oldRoot && roots.new == newRoot
    }
}
