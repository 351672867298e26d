import Audit
import Foundation
import Policy
import PostgreSQL
import Tokens

/// A registered pupil a new registration matched by blind index.
struct DuplicateMatch: Sendable {
    let subjectID: UUID
    let school: String?
    let region: String?
    let kind: BlindIndex.Kind
}

extension Vault {
    /// The purpose the duplicate register is kept and resolved for.
    public static let duplicatePurpose = "administration"

    /// The live pupils a new pupil's blind indexes match (SNILS always; surname, first name and
    /// birth date unless namesakes are allowed), one per matched pupil, SNILS matches first.
    ///
    /// Each digest is locked for the rest of the transaction (an advisory lock keyed by it), so two
    /// registrations of one child cannot both miss each other.
    func duplicateMatches(of prepared: PreparedRegistration, ring: KeyRing, on connection: PostgresConnection) async throws(VaultError) -> [DuplicateMatch] {
        guard prepared.kind == .pupil else { return [] }
        let indexes = try BlindIndex.indexes(for: .pupil, values: prepared.values, key: ring.blindIndexKey)
            .filter { $0.0 == .snils || !prepared.allowNamesake }
        return try await duplicateMatches(indexes, excluding: nil, on: connection)
    }

    /// The live pupils, other than `excluded`, whose blind indexes equal `indexes` (SNILS matches
    /// first), each digest locked for the rest of the transaction.
    func duplicateMatches(
        _ indexes: [(BlindIndex.Kind, [UInt8])], excluding excluded: UUID?, on connection: PostgresConnection
    ) async throws(VaultError) -> [DuplicateMatch] {
        let indexes = indexes.sorted { ($0.0 == .snils ? 0 : 1) < ($1.0 == .snils ? 0 : 1) }
        var matches: [DuplicateMatch] = []
        do {
            for (kind, digest) in indexes {
                _ = try await connection.query("SELECT pg_advisory_xact_lock(\(BlindIndex.lockKey(digest)))")
                let rows = try await connection.query(
                    """
                    SELECT s.id, s.organisation, s.region FROM vault.blind_indexes b JOIN vault.subjects s ON s.id = b.subject_id
                    WHERE b.kind = \(kind.rawValue) AND b.digest = \(digest) AND s.erased_at IS NULL AND s.kind = 'pupil'
                    ORDER BY s.created_at, s.id
                    """)
                for row in rows {
                    let id = try row.decode(UUID.self, at: 0)
                    guard id != excluded, !matches.contains(where: { $0.subjectID == id }) else { continue }
                    matches.append(
                        DuplicateMatch(
                            subjectID: id, school: try row.decode(String?.self, at: 1), region: try row.decode(String?.self, at: 2),
                            kind: kind))
                }
            }
        } catch {
            throw VaultError.wrapping(error)
        }
        return matches
    }

    /// Opens a case for the new pupil `prepared` and the pupil it matched.
    func openDuplicateCase(
        _ prepared: PreparedRegistration, matching match: DuplicateMatch, openedBy actor: String, at now: Date,
        on connection: PostgresConnection
    ) async throws(VaultError) -> DuplicateCaseToken {
        try await openDuplicateCase(
            subject: prepared.id, school: prepared.organisation, region: prepared.region, matching: match, openedBy: actor, at: now,
            on: connection)
    }

    /// Opens a case for the pupil `subject` (of `school` in `region`) and the pupil it matched.
    func openDuplicateCase(
        subject: UUID, school: String?, region: String?, matching match: DuplicateMatch, openedBy actor: String, at now: Date,
        on connection: PostgresConnection
    ) async throws(VaultError) -> DuplicateCaseToken {
        let reference = try Self.mint { (entropy) throws(TokenError) in try DuplicateCaseToken(entropy: entropy) }
        let schools = [school ?? "", match.school ?? ""].joined(separator: ",")
        let regions = Array(Set([region, match.region].compactMap { $0 })).sorted().joined(separator: ",")
        do {
            try await connection.execute(
                """
                INSERT INTO vault.duplicate_cases (
                    id, reference, subject_id, matched_subject_id, matched_on, schools, regions, status, opened_by, opened_at)
                VALUES (\(UUID()), \(reference.rawValue), \(subject), \(match.subjectID), \(match.kind.rawValue),
                        string_to_array(\(schools), ','), string_to_array(\(regions), ','), 'open', \(actor), \(now))
                """)
        } catch {
            throw VaultError.wrapping(error)
        }
        return reference
    }

    /// The open cases of the duplicate register in the requester's region, oldest first, if the
    /// policy lets the requester `read` that region's `duplicate_case`s for `administration` (the
    /// region's coordinator). Schools and references only. Audited as `duplicate.handled`
    /// (`list`, with the number listed), or deny with the code.
    ///
    /// - Throws: ``VaultError/Code/policyDenied``, ``VaultError/Code/sealed``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``, ``VaultError/Code/storage``.
    public func duplicateCases(by requester: Requester) async throws(VaultError) -> [DuplicateCase] {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.duplicatePurpose)
        let now = clock.now
        let policySet = policies.current
        let region = Self.region(of: requester)
        let outcome: Result<[DuplicateCase], VaultError> = try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            if let refusal = await Self.caseRefusal(region: region, action: "read", guard: guarded) {
                try await guarded.audit(
                    DuplicateHandled(
                        actor: requester.actor, purpose: Self.duplicatePurpose, operation: .list, decision: .deny,
                        reason: refusal.code.rawValue))
                return .failure(refusal)
            }
            let rows = try await connection.query(
                """
                SELECT reference, array_to_string(schools, ','), matched_on, opened_at FROM vault.duplicate_cases
                WHERE status = 'open' AND regions @> ARRAY[\(region ?? "")]::text[] ORDER BY opened_at, reference
                """)
            let cases = try rows.map { row in
                DuplicateCase(
                    reference: try DuplicateCaseToken(parsing: try row.decode(String.self, at: 0)),
                    schools: try row.decode(String.self, at: 1).split(separator: ",").map(String.init),
                    matchedOn: try row.decode(String.self, at: 2), openedAt: try row.decode(Date.self, at: 3))
            }
            try await guarded.audit(
                DuplicateHandled(
                    actor: requester.actor, purpose: Self.duplicatePurpose, operation: .list, decision: .permit, resultCount: cases.count))
            return .success(cases)
        }
        return try outcome.get()
    }

    /// Resolves an open case of the requester's region as the same child or different children.
    /// A case of another region, or none with this reference, is ``VaultError/Code/unknownCase``
    /// alike; a resolved one ``VaultError/Code/caseResolved``. Audited as `duplicate.handled`
    /// (`resolve`): permit, or deny with the code.
    ///
    /// - Throws: ``VaultError/Code/unknownCase``, ``VaultError/Code/caseResolved``, ``VaultError/Code/sealed``,
    ///   ``VaultError/Code/invalidRequest``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``,
    ///   ``VaultError/Code/storage``.
    public func resolveDuplicateCase(
        _ reference: DuplicateCaseToken, as resolution: DuplicateResolution, by requester: Requester
    ) async throws(VaultError) {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.duplicatePurpose)
        let now = clock.now
        let policySet = policies.current
        let region = Self.region(of: requester)
        let outcome: Result<Void, VaultError> = try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            let rows = try await connection.query(
                """
                SELECT status, array_to_string(regions, ',') FROM vault.duplicate_cases
                WHERE reference = \(reference.rawValue) FOR UPDATE
                """)
            var refusal: VaultError?
            if let row = rows.first, let region, try row.decode(String.self, at: 1).split(separator: ",").contains(Substring(region)) {
                if await Self.caseRefusal(region: region, action: "update", guard: guarded) != nil {
                    refusal = VaultError(.unknownCase, reason: "no case of the requester's region has this reference")
                } else if try row.decode(String.self, at: 0) != "open" {
                    refusal = VaultError(.caseResolved, reason: "the case was resolved already")
                }
            } else {
                refusal = VaultError(.unknownCase, reason: "no case of the requester's region has this reference")
            }
            if let refusal {
                try await guarded.audit(
                    DuplicateHandled(
                        actor: requester.actor, purpose: Self.duplicatePurpose, operation: .resolve, decision: .deny,
                        duplicateCase: reference.rawValue, resolution: resolution.rawValue, reason: refusal.code.rawValue))
                return .failure(refusal)
            }
            try await connection.execute(
                """
                UPDATE vault.duplicate_cases SET status = \(resolution.rawValue), resolved_by = \(requester.actor), resolved_at = \(now)
                WHERE reference = \(reference.rawValue)
                """)
            try await guarded.audit(
                DuplicateHandled(
                    actor: requester.actor, purpose: Self.duplicatePurpose, operation: .resolve, decision: .permit,
                    duplicateCase: reference.rawValue, resolution: resolution.rawValue))
            return .success(())
        }
        try outcome.get()
    }

    /// The requester's region code (its principal's `region` attribute), if any.
    static func region(of requester: Requester) -> String? {
        if case .entity(let region)? = requester.principal.attributes["region"], region.type == "region" { return region.id }
        return nil
    }

    /// The policy's answer on `action` of the region's duplicate cases; a requester without a
    /// region is refused.
    private static func caseRefusal(region: String?, action: String, guard guarded: AccessGuard) async -> VaultError? {
        guard let region else { return VaultError(.policyDenied, reason: "the requester has no region") }
        let resource = Resource(
            type: "duplicate_case", id: "region-\(region)", attributes: ["region": .entity(EntityRef("region", region))])
        return await guarded.refusal(action, resource, purpose: duplicatePurpose)
    }
}
