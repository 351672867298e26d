public import Foundation

/// Why ``AuditQueryService/gaps(from:to:)`` could not prove a window complete.
public enum GapProblem: Sendable, Hashable, CustomStringConvertible {
    /// A leaf of the window, or one of its two boundary leaves, is missing, or its record is
    /// deleted, altered or emptied (the finding ``AuditVerifier`` reports for it).
    case record(AuditFinding)
    /// Events recorded in the window are committed but not integrated into the tree yet.
    case pending(count: Int)
    /// The newest signed checkpoint does not cover `leafIndex`, the first leaf after the window,
    /// so nothing signed shows yet where the window ends (`checkpointSize` 0 without a checkpoint).
    case unsealed(leafIndex: UInt64, checkpointSize: UInt64)
    /// A boundary leaf's record lies inside the window: the log moved on during the check.
    case boundaryInsideWindow(leafIndex: UInt64)

    public var description: String {
        switch self {
        case .record(let finding): "\(finding)"
        case .pending(let count): "\(count) event(s) recorded in the window are not integrated yet"
        case .unsealed(let leaf, let size):
            "no signed checkpoint covers leaf \(leaf), the first after the window (newest checkpoint size \(size))"
        case .boundaryInsideWindow(let leaf): "boundary leaf \(leaf) was recorded inside the window; run the check again"
        }
    }

    /// Whether the problem is final (records are missing or altered) rather than one that time
    /// resolves (integration, the next checkpoint).
    public var isTampering: Bool {
        if case .record = self { return true }
        return false
    }
}

/// The outcome of ``AuditQueryService/gaps(from:to:)``: whether every event recorded in a time
/// window is in the signed tree with its record intact.
///
/// The window's integrated events occupy leaves `leafRange`; the check reads every leaf of that
/// range and the two boundary leaves just outside it (``lowerBoundary`` and ``upperBoundary``),
/// recomputes each leaf hash from its record as ``AuditVerifier`` does, and requires each record
/// to be present and to match. The boundary records must lie outside the window and be covered by
/// the newest signed checkpoint, so deleting the first or last record of the window (leaf and
/// record) shows as a missing boundary leaf. Leaf order is commit order and `recorded_at` is the
/// insert time, which may run slightly out of order between concurrent transactions; an event
/// of the window deleted together with its leaf beyond an out-of-window neighbour is found by
/// `verify`, not here.
public struct GapReport: Sendable, Hashable {
    /// The window start (inclusive).
    public let from: Date
    /// The window end (exclusive).
    public let to: Date
    /// The lowest and highest leaf indices of events recorded in the window (nil when none are integrated).
    public let leafRange: ClosedRange<UInt64>?
    /// The leaf just before the window's leaves (nil when they start at leaf 0).
    public let lowerBoundary: UInt64?
    /// The leaf just after the window's leaves.
    public let upperBoundary: UInt64
    /// Integrated events recorded in the window whose record is present.
    public let eventCount: Int
    /// Events recorded in the window that are not integrated yet.
    public let pendingCount: Int
    /// The newest signed checkpoint (nil before the first).
    public let checkpoint: SignedCheckpoint?
    /// Everything that stands between the window and a proof of completeness, by leaf index for records.
    public let problems: [GapProblem]
    /// The offline-checkable proof of the window's boundaries; nil unless the window is complete.
    public let proof: GapProof?

    /// Whether the window is complete: every leaf from the lower to the upper boundary present with
    /// its matching record, the boundaries outside the window and signed, and nothing pending.
    public var isComplete: Bool { problems.isEmpty }

    /// Leaf indices with no leaf at all.
    public var missingIndices: [UInt64] {
        problems.compactMap {
            if case .record(.leafMissing(let index)) = $0 { return index }
            return nil
        }
    }

    /// The inclusion bundles of ``proof`` (empty without one).
    public var boundaryProofs: [ProofBundle] { proof?.leaves ?? [] }

    /// The verdict in one word: `complete`, `gaps` (records missing or altered: final) or
    /// `pending` (not provable yet: events wait for integration or the next checkpoint).
    public var verdict: String {
        if problems.isEmpty { return "complete" }
        return problems.contains(where: \.isTampering) ? "gaps" : "pending"
    }
}
