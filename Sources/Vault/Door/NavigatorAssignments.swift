import Audit
public import Foundation
import Policy
import PostgreSQL
public import Tokens

/// A navigator teacher's assignment to a pupil: the `assigned_navigator` fact the policy reads
/// (pupil → user), valid for one school year.
public struct NavigatorAssignment: Sendable, Hashable, Codable {
    /// The navigator's account id (`usr_…`).
    public var navigator: String
    /// When the assignment started.
    public var validFrom: Date
    /// Its planned end: the end of the school year (1 July, 00:00 UTC).
    public var validUntil: Date
    /// When it was ended early; nil while it runs.
    public var expiredAt: Date?

    public init(navigator: String, validFrom: Date, validUntil: Date, expiredAt: Date? = nil) {
        self.navigator = navigator
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.expiredAt = expiredAt
    }
}

extension Vault {
    /// The purpose a school assigns navigators under (registering pupils and enrolling them).
    public static let navigatorPurpose = "enrolment"
    /// The relation the policy reads.
    static let assignedNavigator = "assigned_navigator"

    /// The end of the school year `date` falls in: the next 1 July, 00:00 UTC, after `date`. An
    /// assignment made in July or August runs to the end of the coming school year.
    public static func schoolYearEnd(after date: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let year = calendar.component(.year, from: date)
        let thisJuly = calendar.date(from: DateComponents(year: year, month: 7, day: 1))!
        return date < thisJuly ? thisJuly : calendar.date(from: DateComponents(year: year + 1, month: 7, day: 1))!
    }

    /// Assigns the navigator account `navigator` (`usr_…`) to the pupil `pupil` until the end of
    /// the school year (``schoolYearEnd(after:)``), as an `assigned_navigator` fact in
    /// `policy.relationships`, in one transaction with the decision and the audit record
    /// (`navigator.assignment`, permit or deny).
    ///
    /// The policy must allow `assign` on the pupil (`school.pupils.assign-navigator`: the school's
    /// own pupils) and on the navigator's staff record (`school.navigators.assign`: the school's own
    /// staff), for purpose `enrolment`; the account must be a navigator's, and not disabled. An
    /// assignment that already runs is returned as it is (no second fact).
    ///
    /// - Throws: ``VaultError/Code/unknownSubject``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/unknownNavigator``, ``VaultError/Code/policyDenied``,
    ///   ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``.
    public func assignNavigator(_ navigator: String, to pupil: SubjectToken, by requester: Requester) async throws(VaultError)
        -> NavigatorAssignment
    {
        let now = clock.now
        let until = Self.schoolYearEnd(after: now)
        return try await navigatorDoor(.assign, pupil: pupil, navigator: navigator, requester: requester) { connection in
            if let running = try await Self.currentAssignments(of: pupil, navigator: navigator, at: now, on: connection).first {
                return running
            }
            let store = RelationshipStore(connection: connection)
            do {
                try await store.assert(
                    Relationship(
                        Self.assignedNavigator, subject: EntityRef("pupil", pupil.rawValue), object: EntityRef("user", navigator),
                        validFrom: Self.timestamp(now), validUntil: Self.timestamp(until)))
            } catch {
                throw VaultError(.storage, reason: "recording the assignment failed")
            }
            return NavigatorAssignment(
                navigator: navigator, validFrom: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)), validUntil: until)
        }
    }

    /// Ends the navigator's current assignment to the pupil now (`expired_at`; the fact stays, so
    /// past decisions can be replayed). Decided and audited as ``assignNavigator(_:to:by:)``.
    ///
    /// - Throws: ``VaultError/Code/unknownAssignment`` when none runs, and the errors of
    ///   ``assignNavigator(_:to:by:)``.
    public func endNavigatorAssignment(_ navigator: String, of pupil: SubjectToken, by requester: Requester) async throws(VaultError) {
        let now = clock.now
        try await navigatorDoor(.end, pupil: pupil, navigator: navigator, requester: requester) { connection in
            let store = RelationshipStore(connection: connection)
            let ended: Int
            do {
                ended = try await store.expire(
                    Self.assignedNavigator, subject: EntityRef("pupil", pupil.rawValue), object: EntityRef("user", navigator),
                    at: Self.timestamp(now))
            } catch {
                throw VaultError(.storage, reason: "ending the assignment failed")
            }
            guard ended > 0 else { throw VaultError(.unknownAssignment, reason: "the navigator holds no assignment to the pupil") }
        }
    }

    /// The pupil's navigators whose assignment runs now, for a caller the policy lets `assign`
    /// the pupil (the school that manages the assignments). Audited as `navigator.assignment`
    /// with operation `list`.
    ///
    /// - Throws: ``VaultError/Code/unknownSubject``, ``VaultError/Code/subjectErased``,
    ///   ``VaultError/Code/policyDenied``, ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``,
    ///   ``VaultError/Code/auditUnavailable``.
    public func navigators(of pupil: SubjectToken, by requester: Requester) async throws(VaultError) -> [NavigatorAssignment] {
        let now = clock.now
        return try await navigatorDoor(.list, pupil: pupil, navigator: nil, requester: requester) { connection in
            try await Self.currentAssignments(of: pupil, navigator: nil, at: now, on: connection)
        }
    }

    /// The sequence every navigator operation shares, in one transaction: the pupil (live, a
    /// pupil), for an assignment the navigator's account (a live navigator's), the policy on both, then `body`; the
    /// `navigator.assignment` record (permit, or deny with the reason) is appended before anything
    /// is returned, and a refusal commits with its record.
    private func navigatorDoor<T: Sendable>(
        _ operation: NavigatorAssignmentRecorded.Operation, pupil token: SubjectToken, navigator: String?, requester: Requester,
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws(VaultError) -> T {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.navigatorPurpose)
        let now = clock.now
        let policySet = policies.current
        let purpose = Self.navigatorPurpose
        let outcome: Result<T, VaultError> = try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            var refusal: VaultError?
            let subject = try await SubjectQueries.byTokens([token], on: connection, lock: operation != .list).first
            if let subject {
                if subject.isErased {
                    refusal = VaultError(.subjectErased, reason: "the subject's data was erased")
                } else if subject.kind != .pupil {
                    refusal = VaultError(.unknownSubject, reason: "navigators are assigned to pupils")
                } else if let denied = await guarded.refusal("assign", subject.policyResource, purpose: purpose) {
                    refusal = denied
                } else if let navigator, operation == .assign {
                    // Only a new assignment needs a live navigator of the school: the school ends
                    // one whose account was since disabled or moved (the fact names its own pupil).
                    refusal = await Self.navigatorRefusal(navigator, guard: guarded, purpose: purpose, on: connection)
                }
            } else {
                refusal = VaultError(.unknownSubject, reason: "no subject has this token")
            }
            var result: T?
            if refusal == nil {
                do {
                    result = try await body(connection)
                } catch let error as VaultError where error.code == .unknownAssignment {
                    refusal = error
                }
            }
            try await guarded.audit(
                NavigatorAssignmentRecorded(
                    actor: requester.actor, subject: token.rawValue, decision: refusal == nil ? .permit : .deny, purpose: purpose,
                    operation: operation, navigator: navigator.map { "user:\($0)" },
                    reason: refusal.map { Self.auditReason($0) }, policyVersion: Self.auditDigest(of: policySet.version)))
            if let refusal { return .failure(refusal) }
            return .success(result!)
        }
        return try outcome.get()
    }

    /// A refusal's code as an audit reason (`policy_denied`, `unknown_navigator` …).
    private static func auditReason(_ error: VaultError) -> String {
        String(error.code.rawValue.dropFirst("vault.".count))
    }

    /// Nil when `navigator` is a live navigator account the policy lets the requester `assign`
    /// (its staff record: organisation and region from the account); the refusal otherwise. An
    /// account of another school is refused by the policy, one that is not a navigator's (or is
    /// disabled, or unknown) as unknown.
    private static func navigatorRefusal(
        _ navigator: String, guard guarded: AccessGuard, purpose: String, on connection: PostgresConnection
    ) async -> VaultError? {
        let unknown = VaultError(.unknownNavigator, reason: "no live navigator account has this id")
        guard navigator.hasPrefix("usr_"), navigator.utf8.count <= 64 else { return unknown }
        let rows: QueryResult
        do {
            rows = try await connection.query(
                "SELECT role, organisation, region, disabled FROM accounts.accounts WHERE id = \(navigator)")
        } catch {
            return VaultError(.storage, reason: "reading the navigator's account failed")
        }
        guard let row = rows.first, let role = try? row.decode(String.self, at: 0), role == "navigator",
              let organisation = try? row.decode(String.self, at: 1), let disabled = try? row.decode(Bool.self, at: 3), !disabled
        else { return unknown }
        let region = (try? row.decode(String?.self, at: 2)) ?? nil
        // bilet://school/77-0001
        let parts = organisation.dropFirst("bilet://".count).split(separator: "/").map(String.init)
        guard organisation.hasPrefix("bilet://"), parts.count == 2 else { return unknown }
        var attributes: [String: Value] = [
            "organisation": .entity(EntityRef(parts[0], parts[1])), "user": .entity(EntityRef("user", navigator)),
        ]
        if let region { attributes["region"] = .entity(EntityRef("region", region)) }
        guard let denied = await guarded.refusal("assign", Resource(type: "staff", id: navigator, attributes: attributes), purpose: purpose)
        else { return nil }
        return VaultError(.policyDenied, reason: "\(denied.reason ?? "policy: deny") (the navigator's staff record)")
    }

    /// The `assigned_navigator` facts of `pupil` (to `navigator`, or to anyone) that hold at `now`.
    private static func currentAssignments(
        of pupil: SubjectToken, navigator: String?, at now: Date, on connection: PostgresConnection
    ) async throws -> [NavigatorAssignment] {
        let rows = try await connection.query(
            """
            SELECT object_id, valid_from, valid_until, expired_at FROM policy.relationships
            WHERE kind = \(assignedNavigator) AND subject_type = 'pupil' AND subject_id = \(pupil.rawValue) AND object_type = 'user'
              AND (\(navigator)::text IS NULL OR object_id = \(navigator))
              AND (valid_from IS NULL OR valid_from <= \(now)) AND (valid_until IS NULL OR \(now) < valid_until)
              AND (expired_at IS NULL OR \(now) < expired_at)
            ORDER BY valid_from, object_id
            """)
        return try rows.map { row in
            NavigatorAssignment(
                navigator: try row.decode(String.self, at: 0), validFrom: try row.decode(Date?.self, at: 1) ?? now,
                validUntil: try row.decode(Date?.self, at: 2) ?? schoolYearEnd(after: now), expiredAt: try row.decode(Date?.self, at: 3))
        }
    }
}
