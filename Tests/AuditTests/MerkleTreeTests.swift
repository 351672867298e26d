import Audit
import Testing

/// RFC 9162 hashing, roots and proofs: against the published RFC 6962 reference vectors (the
/// ones in Certificate Transparency's and transparency-dev/merkle's test suites) and against the
/// independent implementation in this target.
@Suite("Merkle tree (RFC 9162)")
struct MerkleTreeTests {
    /// The reference leaf inputs.
    static let leaves: [[UInt8]] = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ].map(Hex.bytes)

    /// Roots of the trees of the first 1…8 reference leaves.
    static let roots: [String] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    struct InclusionVector: Sendable, CustomTestStringConvertible {
        let leaf: UInt64  // 1-based as in the reference table
        let size: UInt64
        let proof: [String]
        var testDescription: String { "leaf \(leaf) of \(size)" }
    }

    static let inclusionVectors: [InclusionVector] = [
        .init(leaf: 1, size: 1, proof: []),
        .init(leaf: 1, size: 8, proof: [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ]),
        .init(leaf: 6, size: 8, proof: [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ]),
        .init(leaf: 3, size: 3, proof: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        .init(leaf: 2, size: 5, proof: [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ]),
    ]

    struct ConsistencyVector: Sendable, CustomTestStringConvertible {
        let from: UInt64
        let to: UInt64
        let proof: [String]
        var testDescription: String { "\(from) → \(to)" }
    }

    static let consistencyVectors: [ConsistencyVector] = [
        .init(from: 1, to: 1, proof: []),
        .init(from: 1, to: 8, proof: [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ]),
        .init(from: 6, to: 8, proof: [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ]),
        .init(from: 2, to: 5, proof: [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ]),
        .init(from: 6, to: 7, proof: [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ]),
    ]

    static func referenceTree(size: Int) -> InMemoryMerkleTree {
        var tree = InMemoryMerkleTree()
        for leaf in leaves.prefix(size) { tree.append(leafInput: leaf) }
        return tree
    }

    @Test("Empty tree root is SHA-256 of the empty string")
    func emptyRoot() {
        #expect(MerkleHasher.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(MerkleFrontier().root == MerkleHasher.emptyRoot)
    }

    @Test("Roots of the reference trees of 1 to 8 leaves", arguments: 1...8)
    func referenceRoots(size: Int) async throws {
        let tree = Self.referenceTree(size: size)
        #expect(tree.root.hex == Self.roots[size - 1])
        #expect(try await tree.rootHash(size: UInt64(size)).hex == Self.roots[size - 1])
        #expect(IndependentRFC9162.treeHash(Self.leaves.prefix(size)) == Hex.bytes(Self.roots[size - 1]))
    }

    @Test("Reference inclusion proofs are produced and verify", arguments: inclusionVectors)
    func referenceInclusion(vector: InclusionVector) async throws {
        let tree = Self.referenceTree(size: Int(vector.size))
        let proof = try await tree.inclusionProof(leafIndex: vector.leaf - 1, treeSize: vector.size)
        #expect(proof.hashes.map(\.hex) == vector.proof)
        let leafHash = MerkleHasher.leafHash(Self.leaves[Int(vector.leaf - 1)])
        let root = try #require(MerkleHash(hex: Self.roots[Int(vector.size - 1)]))
        #expect(proof.verify(leafHash: leafHash, root: root))
        #expect(IndependentRFC9162.verifyInclusion(
            index: Int(vector.leaf - 1), size: Int(vector.size), leafHash: leafHash.bytes,
            proof: proof.hashes.map(\.bytes), root: root.bytes))
    }

    @Test("Reference consistency proofs are produced and verify", arguments: consistencyVectors)
    func referenceConsistency(vector: ConsistencyVector) async throws {
        let tree = Self.referenceTree(size: Int(vector.to))
        let proof = try await tree.consistencyProof(from: vector.from, to: vector.to)
        #expect(proof.hashes.map(\.hex) == vector.proof)
        let old = try #require(MerkleHash(hex: Self.roots[Int(vector.from - 1)]))
        let new = try #require(MerkleHash(hex: Self.roots[Int(vector.to - 1)]))
        #expect(proof.verify(fromRoot: old, toRoot: new))
        #expect(IndependentRFC9162.verifyConsistency(
            from: Int(vector.from), to: Int(vector.to), oldRoot: old.bytes, newRoot: new.bytes, proof: proof.hashes.map(\.bytes)))
        if vector.from != vector.to {
            #expect(!proof.verify(fromRoot: new, toRoot: old))
        }
    }

    static func syntheticTree(size: Int) -> (InMemoryMerkleTree, [[UInt8]]) {
        var tree = InMemoryMerkleTree()
        let inputs = (0..<size).map { Array("synthetic audit leaf \($0)".utf8) }
        for input in inputs { tree.append(leafInput: input) }
        return (tree, inputs)
    }

    @Test("Every inclusion proof up to 70 leaves verifies independently; wrong leaf, index or root fails")
    func allInclusionProofs() async throws {
        let (tree, inputs) = Self.syntheticTree(size: 70)
        for size in 1...70 {
            let root = try await tree.rootHash(size: UInt64(size))
            #expect(root.bytes == IndependentRFC9162.treeHash(inputs.prefix(size)))
            for index in 0..<size {
                let proof = try await tree.inclusionProof(leafIndex: UInt64(index), treeSize: UInt64(size))
                let leafHash = MerkleHasher.leafHash(inputs[index])
                let path = proof.hashes.map(\.bytes)
                #expect(proof.verify(leafHash: leafHash, root: root))
                #expect(IndependentRFC9162.verifyInclusion(index: index, size: size, leafHash: leafHash.bytes, proof: path, root: root.bytes))
                let wrongLeaf = MerkleHasher.leafHash(Array("not in the log".utf8))
                #expect(!proof.verify(leafHash: wrongLeaf, root: root))
                #expect(!IndependentRFC9162.verifyInclusion(index: index, size: size, leafHash: wrongLeaf.bytes, proof: path, root: root.bytes))
                let wrongRoot = MerkleHasher.leafHash(Array("forged root".utf8))
                #expect(!proof.verify(leafHash: leafHash, root: wrongRoot))
                #expect(!IndependentRFC9162.verifyInclusion(index: index, size: size, leafHash: leafHash.bytes, proof: path, root: wrongRoot.bytes))
                if size > 1 {
                    let moved = InclusionProof(leafIndex: UInt64((index + 1) % size), treeSize: UInt64(size), hashes: proof.hashes)
                    #expect(!moved.verify(leafHash: leafHash, root: root))
                    #expect(!IndependentRFC9162.verifyInclusion(index: (index + 1) % size, size: size, leafHash: leafHash.bytes, proof: path, root: root.bytes))
                }
                if !proof.hashes.isEmpty {
                    var flipped = path
                    flipped[flipped.count / 2][0] ^= 0x10
                    let tampered = InclusionProof(leafIndex: UInt64(index), treeSize: UInt64(size), hashes: flipped.map { MerkleHash(bytes: $0)! })
                    #expect(!tampered.verify(leafHash: leafHash, root: root))
                    let truncated = InclusionProof(leafIndex: UInt64(index), treeSize: UInt64(size), hashes: Array(proof.hashes.dropLast()))
                    #expect(!truncated.verify(leafHash: leafHash, root: root))
                }
                let extended = InclusionProof(leafIndex: UInt64(index), treeSize: UInt64(size), hashes: proof.hashes + [root])
                #expect(!extended.verify(leafHash: leafHash, root: root))
            }
        }
    }

    @Test("Every consistency proof up to 40 leaves verifies independently; wrong roots fail")
    func allConsistencyProofs() async throws {
        let (tree, _) = Self.syntheticTree(size: 40)
        var roots: [MerkleHash] = []
        for size in 0...40 { roots.append(try await tree.rootHash(size: UInt64(size))) }
        for to in 1...40 {
            for from in 1...to {
                let proof = try await tree.consistencyProof(from: UInt64(from), to: UInt64(to))
                let path = proof.hashes.map(\.bytes)
                #expect(proof.verify(fromRoot: roots[from], toRoot: roots[to]))
                #expect(IndependentRFC9162.verifyConsistency(from: from, to: to, oldRoot: roots[from].bytes, newRoot: roots[to].bytes, proof: path))
                guard from < to else { continue }
                let forged = MerkleHasher.leafHash(Array("fork".utf8))
                #expect(!proof.verify(fromRoot: forged, toRoot: roots[to]))
                #expect(!proof.verify(fromRoot: roots[from], toRoot: forged))
                #expect(!IndependentRFC9162.verifyConsistency(from: from, to: to, oldRoot: forged.bytes, newRoot: roots[to].bytes, proof: path))
                #expect(!IndependentRFC9162.verifyConsistency(from: from, to: to, oldRoot: roots[from].bytes, newRoot: forged.bytes, proof: path))
                #expect(!ConsistencyProof(fromSize: UInt64(from), toSize: UInt64(to), hashes: []).verify(fromRoot: roots[from], toRoot: roots[to]))
                let truncated = ConsistencyProof(fromSize: UInt64(from), toSize: UInt64(to), hashes: Array(proof.hashes.dropLast()))
                #expect(!truncated.verify(fromRoot: roots[from], toRoot: roots[to]))
            }
        }
    }

    @Test("Frontier rebuilt from stored perfect subtrees continues identically")
    func frontierRestore() async throws {
        let (tree, inputs) = Self.syntheticTree(size: 37)
        let nodes = MerkleFrontier.nodeIDs(forSize: 37)
        #expect(nodes.map(\.level) == [5, 2, 0])
        var restored = try MerkleFrontier(size: 37, hashes: try await tree.hashes(of: nodes))
        #expect(restored.root == tree.root)
        var full = tree
        restored.append(MerkleHasher.leafHash(inputs[0]))
        full.append(leafInput: inputs[0])
        #expect(restored.root == full.root)
        #expect(throws: AuditError.self) { try MerkleFrontier(size: 37, hashes: []) }
    }

    @Test("Node storage keys round-trip and differ")
    func storageKeys() {
        let nodes = [MerkleNodeID(level: 0, index: 0), MerkleNodeID(level: 0, index: 9_999_999), MerkleNodeID(level: 1, index: 0), MerkleNodeID(level: 23, index: 1)]
        #expect(Set(nodes.map(\.storageKey)).count == nodes.count)
        for node in nodes { #expect(MerkleNodeID(storageKey: node.storageKey) == node) }
        #expect(MerkleNodeID(storageKey: -1) == nil)
    }
}
