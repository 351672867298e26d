/// The position of a perfect subtree in the audit Merkle tree: its height (`level`, 0 for a
/// leaf) and its index among the subtrees of that height, counted from the left.
///
/// Node (level, index) covers leaves `index << level ..< (index + 1) << level`; its hash never
/// changes once the tree holds all of those leaves, which is why such nodes can be stored once
/// and never updated.
public struct MerkleNodeID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Height above the leaves (0 for a leaf).
    public let level: Int
    /// Index among the nodes of this height.
    public let index: UInt64

    /// The highest level a node may have (the tree holds at most 2^56 leaves).
    public static let maximumLevel = 56

    /// A node; `level` must be in `0 ... 56` and `index` below `2^(56 - level)`.
    public init(level: Int, index: UInt64) {
        precondition(level >= 0 && level <= Self.maximumLevel, "Merkle level out of range")
        precondition(index < (UInt64(1) << UInt64(Self.maximumLevel - level)), "Merkle index out of range")
        self.level = level
        self.index = index
    }

    /// The first leaf the node covers.
    public var firstLeaf: UInt64 { index << UInt64(level) }
    /// One past the last leaf the node covers.
    public var endLeaf: UInt64 { (index + 1) << UInt64(level) }

    /// A single integer for storage: `level << 56 | index`. Distinct for distinct nodes.
    public var storageKey: Int64 { Int64(level) << 56 | Int64(index) }

    /// The node stored under `storageKey`; nil for a key no node has.
    public init?(storageKey: Int64) {
        guard storageKey >= 0 else { return nil }
        let level = Int(storageKey >> 56)
        let index = UInt64(storageKey & ((Int64(1) << 56) - 1))
        guard level <= Self.maximumLevel, index < (UInt64(1) << UInt64(Self.maximumLevel - level)) else { return nil }
        self.init(level: level, index: index)
    }

    public static func < (lhs: MerkleNodeID, rhs: MerkleNodeID) -> Bool {
        (lhs.level, lhs.index) < (rhs.level, rhs.index)
    }

    public var description: String { "node(\(level), \(index))" }
}

/// The arithmetic of RFC 9162 trees: which perfect subtrees make up a range of leaves, and which
/// ranges an inclusion or consistency proof consists of.
public enum MerkleTreeMath {
    /// The largest power of two strictly below `n` (`n` ≥ 2).
    static func largestPowerOfTwo(below n: UInt64) -> UInt64 {
        precondition(n >= 2)
        return UInt64(1) << UInt64(63 - (n - 1).leadingZeroBitCount)
    }

    /// The perfect subtrees whose concatenation is leaves `range`, left to right, each as large
    /// as the alignment allows. For the ranges RFC 9162 uses (a subtree of the tree of size
    /// `range.upperBound`), folding their hashes from the right gives `MTH(D[range])`.
    public static func perfectSubtrees(covering range: Range<UInt64>) -> [MerkleNodeID] {
        var nodes: [MerkleNodeID] = []
        var begin = range.lowerBound
        while begin < range.upperBound {
            let remaining = range.upperBound - begin
            var level = 63 - remaining.leadingZeroBitCount
            if begin != 0 {
                level = min(level, begin.trailingZeroBitCount)
            }
            nodes.append(MerkleNodeID(level: level, index: begin >> UInt64(level)))
            begin += UInt64(1) << UInt64(level)
        }
        return nodes
    }

    /// The leaf ranges whose subtree hashes form the inclusion proof of leaf `index` in a tree
    /// of `size` leaves, in proof order (RFC 9162 §2.1.3.1, `PATH(m, D[n])`).
    public static func inclusionRanges(index: UInt64, size: UInt64) -> [Range<UInt64>] {
        precondition(index < size)
        var ranges: [Range<UInt64>] = []
        path(index, 0, size, into: &ranges)
        return ranges
    }

    private static func path(_ m: UInt64, _ low: UInt64, _ high: UInt64, into ranges: inout [Range<UInt64>]) {
        let n = high - low
        guard n > 1 else { return }
        let k = largestPowerOfTwo(below: n)
        if m - low < k {
            path(m, low, low + k, into: &ranges)
            ranges.append(low + k ..< high)
        } else {
            path(m, low + k, high, into: &ranges)
            ranges.append(low ..< low + k)
        }
    }

    /// The leaf ranges whose subtree hashes form the consistency proof from a tree of `from`
    /// leaves to one of `to` leaves, in proof order (RFC 9162 §2.1.4.1, `PROOF(m, D[n])`).
    /// Empty when `from` is 0 or equal to `to`.
    public static func consistencyRanges(from: UInt64, to: UInt64) -> [Range<UInt64>] {
        precondition(from <= to)
        guard from > 0, from < to else { return [] }
        var ranges: [Range<UInt64>] = []
        subproof(from, 0, to, true, into: &ranges)
        return ranges
    }

    private static func subproof(
        _ m: UInt64, _ low: UInt64, _ high: UInt64, _ complete: Bool, into ranges: inout [Range<UInt64>]
    ) {
        let n = high - low
        if m == n {
            if !complete { ranges.append(low ..< high) }
            return
        }
        let k = largestPowerOfTwo(below: n)
        if m <= k {
            subproof(m, low, low + k, complete, into: &ranges)
            ranges.append(low + k ..< high)
        } else {
            subproof(m - k, low + k, high, false, into: &ranges)
            ranges.append(low ..< low + k)
        }
    }

    /// Folds the hashes of ``perfectSubtrees(covering:)`` (left to right) into the range's hash.
    public static func foldRange(_ hashes: some BidirectionalCollection<MerkleHash>) -> MerkleHash {
        guard var result = hashes.last else { return MerkleHasher.emptyRoot }
        for hash in hashes.dropLast().reversed() {
            result = MerkleHasher.nodeHash(hash, result)
        }
        return result
    }
}
