public import Foundation
import PostgreSQL

extension AuditQueryService {
    /// The most record problems one ``gaps(from:to:)`` report lists.
    static let gapProblemLimit = 10_000

    /// Checks that every event recorded in `from ..< to` is in the signed tree with its record
    /// intact, and that none waits for integration (see ``GapReport`` for what is proven).
    ///
    /// Reads every leaf of the window and its two boundary leaves with their records, recomputing
    /// each leaf hash as ``AuditVerifier`` does; when nothing is wrong, returns a ``GapProof``
    /// of the boundaries against the newest checkpoint. Problems are reported, never thrown.
    ///
    /// - Throws: ``AuditError/Code/invalidArgument`` when the window does not end after it starts;
    ///   storage errors; the recording errors.
    public func gaps(from: Date, to: Date) async throws(AuditError) -> GapReport {
        guard from < to else { throw AuditError(.invalidArgument, "the window must end after it starts") }
        let report: GapReport
        do {
            report = try await checkGaps(from: from, to: to)
        } catch let error as AuditError {
            throw error
        } catch {
            throw AuditError.from(error, while: "checking gaps")
        }
        try await recordRead("gaps", filters: ["from", "to"], results: report.eventCount)
        return report
    }

    private func checkGaps(from: Date, to: Date) async throws -> GapReport {
        let pending = try await reader.query(
            """
            SELECT count(*) FROM audit.events e
            WHERE e.recorded_at >= \(from) AND e.recorded_at < \(to)
              AND NOT EXISTS (SELECT 1 FROM audit.leaves l WHERE l.event_id = e.id)
            """).singleValue(Int.self)
        let range = try await reader.query(
            """
            SELECT min(l.leaf_index), max(l.leaf_index)
            FROM audit.events e JOIN audit.leaves l ON l.event_id = e.id
            WHERE e.recorded_at >= \(from) AND e.recorded_at < \(to)
            """)[0]
        let leafRange: ClosedRange<UInt64>?
        let firstLeaf: UInt64
        if let low = try range.decode(Int64?.self, at: 0), let high = try range.decode(Int64?.self, at: 1) {
            leafRange = UInt64(low)...UInt64(high)
            firstLeaf = UInt64(low)
        } else {
            // No integrated event in the window: it lies after the leaf of the latest event before it.
            let before = try await reader.query(
                """
                SELECT l.leaf_index FROM audit.events e JOIN audit.leaves l ON l.event_id = e.id
                WHERE e.recorded_at < \(from) ORDER BY e.recorded_at DESC, e.id DESC LIMIT 1
                """)
            leafRange = nil
            firstLeaf = try before.first.map { UInt64(try $0.decode(Int64.self, at: 0)) + 1 } ?? 0
        }
        let leafCount = leafRange.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        let lowerBoundary = firstLeaf > 0 ? firstLeaf - 1 : nil
        let upperBoundary = firstLeaf + leafCount
        let checkpoint = try await store.latestCheckpoint()
        let sealedSize = checkpoint?.checkpoint.size ?? 0
        // Below this size an absent leaf is missing; at or above it, it is merely not signed yet.
        let knownSize = max(sealedSize, upperBoundary)

        var problems: [GapProblem] = []
        var recordProblems = 0
        func add(_ finding: AuditFinding) {
            recordProblems += 1
            if recordProblems <= Self.gapProblemLimit { problems.append(.record(finding)) }
        }
        let window = GapProof.microseconds(from) ..< GapProof.microseconds(to)
        var eventCount = 0
        var next = lowerBoundary ?? firstLeaf
        scan: while next <= upperBoundary {
            let rows = try await AuditVerifier.leafRows(
                from: Int64(next), limit: Int64(min(20_000, upperBoundary - next + 1)), pool: reader)
            if rows.isEmpty { break }
            for leaf in try await AuditVerifier.recompute(rows) {
                guard leaf.leafIndex <= upperBoundary else { break scan }
                while next < leaf.leafIndex {
                    add(.leafMissing(leafIndex: next))
                    next += 1
                }
                next = leaf.leafIndex + 1
                if let finding = leaf.finding { add(finding) }
                guard let recordedAt = leaf.recordedAtMicroseconds else { continue }
                let boundary = leaf.leafIndex == upperBoundary || leaf.leafIndex == lowerBoundary
                if boundary && window.contains(recordedAt) {
                    problems.append(.boundaryInsideWindow(leafIndex: leaf.leafIndex))
                } else if !boundary && window.contains(recordedAt) {
                    eventCount += 1
                }
            }
        }
        while next <= upperBoundary && next < knownSize {
            add(.leafMissing(leafIndex: next))
            next += 1
        }
        if upperBoundary >= sealedSize {
            problems.append(.unsealed(leafIndex: upperBoundary, checkpointSize: sealedSize))
        }
        if pending > 0 { problems.append(.pending(count: pending)) }

        var proof: GapProof?
        if problems.isEmpty, let checkpoint {
            var bundles: [ProofBundle] = []
            for leaf in GapProof.expectedLeaves(firstLeaf: firstLeaf, leafCount: leafCount) {
                bundles.append(try await inclusionBundle(leaf.index, checkpoint: checkpoint))
            }
            proof = GapProof(from: from, to: to, firstLeaf: firstLeaf, leafCount: leafCount, leaves: bundles)
        }
        return GapReport(
            from: from, to: to, leafRange: leafRange, lowerBoundary: lowerBoundary, upperBoundary: upperBoundary,
            eventCount: eventCount, pendingCount: pending, checkpoint: checkpoint, problems: problems, proof: proof)
    }
}
