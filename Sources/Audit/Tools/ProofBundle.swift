import Foundation

/// A self-contained proof for offline checking: an inclusion proof with the leaf it proves and
/// the signed checkpoint it leads to, or a consistency proof with both signed checkpoints.
/// ``verify(logKey:)`` needs nothing else but the log's public key: no database, no bilet.
///
/// The JSON form (`bilet audit prove … > proof.json`) uses base64 for hashes and bytes.
public struct ProofBundle: Sendable, Hashable, Codable {
    /// `inclusion` or `consistency`.
    public let kind: String
    /// For inclusion: the leaf index.
    public let leafIndex: UInt64?
    /// For inclusion: the tree size (the checkpoint's).
    public let treeSize: UInt64?
    /// For inclusion: the leaf input (canonical record bytes), base64.
    public let leafInput: String?
    /// For consistency: the older size.
    public let fromSize: UInt64?
    /// For consistency: the newer size.
    public let toSize: UInt64?
    /// The proof hashes, base64.
    public let hashes: [String]
    /// The signed checkpoint (inclusion) or the newer one (consistency).
    public let checkpoint: String
    /// For consistency: the older signed checkpoint.
    public let fromCheckpoint: String?

    enum CodingKeys: String, CodingKey {
        case kind, leafIndex = "leaf_index", treeSize = "tree_size", leafInput = "leaf_input", fromSize = "from_size"
        case toSize = "to_size", hashes, checkpoint, fromCheckpoint = "from_checkpoint"
    }

    /// An inclusion bundle.
    public init(inclusion proof: InclusionProof, leafInput: [UInt8], checkpoint: SignedCheckpoint) {
        kind = "inclusion"
        leafIndex = proof.leafIndex
        treeSize = proof.treeSize
        self.leafInput = Data(leafInput).base64EncodedString()
        fromSize = nil
        toSize = nil
        hashes = proof.hashes.map(\.base64)
        self.checkpoint = checkpoint.serialized
        fromCheckpoint = nil
    }

    /// A consistency bundle.
    public init(consistency proof: ConsistencyProof, from: SignedCheckpoint, to: SignedCheckpoint) {
        kind = "consistency"
        leafIndex = nil
        treeSize = nil
        leafInput = nil
        fromSize = proof.fromSize
        toSize = proof.toSize
        hashes = proof.hashes.map(\.base64)
        checkpoint = to.serialized
        fromCheckpoint = from.serialized
    }

    /// What a successful check established.
    public struct Outcome: Sendable, Hashable, CustomStringConvertible {
        /// A one-line statement of what is proven.
        public let description: String
    }

    /// Checks the checkpoint signature(s) with `logKey` and the proof against the signed root(s).
    ///
    /// - Throws: ``AuditError/Code/signatureInvalid`` for a bad checkpoint signature,
    ///   ``AuditError/Code/proofInvalid`` for a proof that does not verify or does not match the
    ///   checkpoint's size, ``AuditError/Code/malformedNote`` / ``AuditError/Code/malformedCheckpoint``.
    public func verify(logKey: NoteVerifierKey, witnesses: [NoteVerifierKey] = []) throws(AuditError) -> Outcome {
        let signed = try SignedCheckpoint(parsing: checkpoint)
        try signed.verify(logKey: logKey, witnesses: witnesses)
        let proofHashes = try hashes.map { (text) throws(AuditError) -> MerkleHash in
            guard let hash = MerkleHash(base64: text) else { throw AuditError(.proofInvalid, "a proof hash is not base64 of 32 bytes") }
            return hash
        }
        switch kind {
        case "inclusion":
            guard let leafIndex, let treeSize, let leafInput, let input = Data(base64Encoded: leafInput) else {
                throw AuditError(.proofInvalid, "inclusion bundle lacks its leaf")
            }
            guard treeSize == signed.checkpoint.size else {
                throw AuditError(.proofInvalid, "proof is for size \(treeSize), checkpoint has \(signed.checkpoint.size)")
            }
            let proof = InclusionProof(leafIndex: leafIndex, treeSize: treeSize, hashes: proofHashes)
            guard proof.verify(leafHash: MerkleHasher.leafHash(Array(input)), root: signed.checkpoint.root) else {
                throw AuditError(.proofInvalid, "leaf \(leafIndex) is not in the tree of checkpoint \(signed.checkpoint.sequence ?? 0)")
            }
            return Outcome(description: "leaf \(leafIndex) is included in the tree of size \(treeSize) signed by \(logKey.name)")
        case "consistency":
            guard let fromSize, let toSize, let fromCheckpoint else { throw AuditError(.proofInvalid, "consistency bundle lacks its sizes") }
            let older = try SignedCheckpoint(parsing: fromCheckpoint)
            try older.verify(logKey: logKey)
            guard older.checkpoint.size == fromSize, signed.checkpoint.size == toSize else {
                throw AuditError(.proofInvalid, "proof sizes do not match the checkpoints")
            }
            let proof = ConsistencyProof(fromSize: fromSize, toSize: toSize, hashes: proofHashes)
            guard proof.verify(fromRoot: older.checkpoint.root, toRoot: signed.checkpoint.root) else {
                throw AuditError(.proofInvalid, "the tree of size \(toSize) does not extend the tree of size \(fromSize)")
            }
            return Outcome(description: "the tree of size \(toSize) extends the tree of size \(fromSize) without changing it, both signed by \(logKey.name)")
        default:
            throw AuditError(.proofInvalid, "unknown proof kind")
        }
    }

    /// The bundle as pretty-printed JSON.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Parses the JSON form.
    ///
    /// - Throws: ``AuditError/Code/proofInvalid``.
    public init(json: String) throws(AuditError) {
        do {
            self = try JSONDecoder().decode(ProofBundle.self, from: Data(json.utf8))
        } catch {
            throw AuditError(.proofInvalid, "not a proof bundle")
        }
    }
}
