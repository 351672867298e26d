public import Foundation

/// An offline-checkable proof of where a time window lies in the signed tree: inclusion bundles,
/// all against one signed checkpoint, for the leaf just before the window's leaves, the first and
/// last of them, and the leaf just after. ``verify(logKey:witnesses:)`` needs only the log's
/// public key.
///
/// What it establishes: leaves `firstLeaf ..< firstLeaf + leafCount` of the signed tree sit between
/// two leaves recorded outside the window, and the first and last of them inside it. A signed
/// tree has no holes, so no event of the window can vanish from it without breaking the checkpoint.
/// That each leaf in between still has its record is what the online check (which produced the
/// proof) established.
///
/// The JSON form (`bilet audit gaps … --proof gaps.json`) has `kind` `gaps`; `bilet audit
/// verify-proof` checks it.
public struct GapProof: Sendable, Hashable, Codable {
    /// Always `gaps`.
    public let kind: String
    /// The window start (inclusive), RFC 3339.
    public let from: String
    /// The window end (exclusive), RFC 3339.
    public let to: String
    /// The first leaf of the window (for an empty window: the leaf after it).
    public let firstLeaf: UInt64
    /// How many leaves the window spans (0 for a window with no events).
    public let leafCount: UInt64
    /// Inclusion bundles in leaf order: before (unless the window starts at leaf 0), first and
    /// last (when the window has leaves), after.
    public let leaves: [ProofBundle]

    enum CodingKeys: String, CodingKey {
        case kind, from, to, firstLeaf = "first_leaf", leafCount = "leaf_count", leaves
    }

    /// A proof of the window `from ..< to` spanning `leafCount` leaves from `firstLeaf`.
    public init(from: Date, to: Date, firstLeaf: UInt64, leafCount: UInt64, leaves: [ProofBundle]) {
        kind = "gaps"
        self.from = AuditTime.format(from)
        self.to = AuditTime.format(to)
        self.firstLeaf = firstLeaf
        self.leafCount = leafCount
        self.leaves = leaves
    }

    /// The leaves a proof must include, in order, with whether each lies inside the window.
    static func expectedLeaves(firstLeaf: UInt64, leafCount: UInt64) -> [(index: UInt64, inside: Bool)] {
        var leaves: [(UInt64, Bool)] = []
        if firstLeaf > 0 { leaves.append((firstLeaf - 1, false)) }
        if leafCount > 0 { leaves.append((firstLeaf, true)) }
        if leafCount > 1 { leaves.append((firstLeaf + leafCount - 1, true)) }
        leaves.append((firstLeaf + leafCount, false))
        return leaves
    }

    /// Checks every bundle with `logKey`, that all use the same checkpoint, that they are the
    /// leaves the range names, and that the boundary leaves were recorded outside the window and
    /// the first and last inside it.
    ///
    /// - Throws: ``AuditError/Code/signatureInvalid`` for a bad checkpoint signature,
    ///   ``AuditError/Code/proofInvalid`` for anything else that does not hold.
    public func verify(logKey: NoteVerifierKey, witnesses: [NoteVerifierKey] = []) throws(AuditError) -> ProofBundle.Outcome {
        guard kind == "gaps" else { throw AuditError(.proofInvalid, "not a gaps proof") }
        guard let start = AuditTime.parse(from), let end = AuditTime.parse(to), start < end else {
            throw AuditError(.proofInvalid, "the window is malformed")
        }
        let (sum, overflow) = firstLeaf.addingReportingOverflow(leafCount)
        guard !overflow, sum < UInt64.max else { throw AuditError(.proofInvalid, "the leaf range is malformed") }
        let expected = Self.expectedLeaves(firstLeaf: firstLeaf, leafCount: leafCount)
        guard leaves.count == expected.count else {
            throw AuditError(.proofInvalid, "the proof holds \(leaves.count) leaves, the range needs \(expected.count)")
        }
        let window = Self.microseconds(start) ..< Self.microseconds(end)
        for (bundle, leaf) in zip(leaves, expected) {
            guard bundle.kind == "inclusion", bundle.leafIndex == leaf.index else {
                throw AuditError(.proofInvalid, "expected an inclusion proof of leaf \(leaf.index)")
            }
            guard bundle.checkpoint == leaves[0].checkpoint else {
                throw AuditError(.proofInvalid, "the leaves are proven against different checkpoints")
            }
            _ = try bundle.verify(logKey: logKey, witnesses: witnesses)
            guard let input = bundle.leafInput.flatMap({ Data(base64Encoded: $0) }),
                  let recordedAt = AuditRecord.recordedAtMicroseconds(inLeafInput: Array(input))
            else { throw AuditError(.proofInvalid, "leaf \(leaf.index) is not an audit record") }
            guard window.contains(recordedAt) == leaf.inside else {
                throw AuditError(
                    .proofInvalid, "leaf \(leaf.index) was recorded \(leaf.inside ? "outside" : "inside") the window")
            }
        }
        let size = leaves[0].treeSize ?? 0
        let span = leafCount == 0 ? "no leaves" : "leaves \(firstLeaf)...\(firstLeaf + leafCount - 1)"
        return ProofBundle.Outcome(
            description: "the window \(from) to \(to) spans \(span), between leaves recorded outside it, in the tree of size \(size) signed by \(logKey.name)")
    }

    static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    /// The proof as pretty-printed JSON.
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(self), as: UTF8.self) + "\n"
    }

    /// Parses the JSON form.
    ///
    /// - Throws: ``AuditError/Code/proofInvalid`` for anything but a gaps proof.
    public init(json: String) throws(AuditError) {
        let decoded: GapProof
        do {
            decoded = try JSONDecoder().decode(GapProof.self, from: Data(json.utf8))
        } catch {
            throw AuditError(.proofInvalid, "not a gaps proof")
        }
        guard decoded.kind == "gaps" else { throw AuditError(.proofInvalid, "not a gaps proof") }
        self = decoded
    }
}
