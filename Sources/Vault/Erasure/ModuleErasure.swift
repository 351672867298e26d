import Audit
public import Foundation
import Policy
import PostgreSQL
public import Tokens

/// Where a pupil's erasure stands in one module, and what it removed there: the module's items
/// (tables) and how many rows of each. Counts only; no values, no tokens.
public struct ModuleErasure: Sendable, Hashable, Codable {
    /// Whether the module has confirmed the erasure.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Queued: the module has not confirmed yet (it failed or was not reached); the vault
        /// retries with backoff until it does.
        case pending
        /// The module deleted the pupil's rows (`removed`); a sweep pass follows after the grace
        /// period (``swept``).
        case done
    }

    /// `assessment`, `trials` or `recommendations`.
    public var module: String
    /// Rows removed, by item (`results`, `attendance`, `items` …), over every pass so far.
    public var removed: [String: Int64]
    /// Pending or done.
    public var status: Status
    /// Passes tried so far (failed and succeeded).
    public var attempts: Int
    /// The last failure's code (a SQLSTATE or `storage`), nil once the module answered.
    public var lastErrorCode: String?
    /// Whether the sweep pass, after the grace period, has run too (the token is then forgotten).
    public var swept: Bool

    public init(
        module: String, removed: [String: Int64], status: Status = .done, attempts: Int = 1, lastErrorCode: String? = nil,
        swept: Bool = false
    ) {
        self.module = module
        self.removed = removed
        self.status = status
        self.attempts = attempts
        self.lastErrorCode = lastErrorCode
        self.swept = swept
    }
}

/// A relationship fact about the erased pupil that the erasure expired: `kind` and its object
/// (`user:usr_…`, `event:17`).
public struct ExpiredFact: Sendable, Hashable, Codable {
    public var kind: String
    public var object: String

    public init(kind: String, object: String) {
        self.kind = kind
        self.object = object
    }
}

/// The receipt of an erasure: every subject erased (the subject first, then a pupil's guardians),
/// for a pupil where each module stands (pending or done, counts only; its pairwise token
/// unlinked), and the pupil's relationship facts the erasure expired.
public struct ErasureReceipt: Sendable, Hashable, Codable {
    public var erased: [SubjectToken]
    public var modules: [ModuleErasure]
    public var facts: [ExpiredFact]

    public init(erased: [SubjectToken], modules: [ModuleErasure], facts: [ExpiredFact] = []) {
        self.erased = erased
        self.modules = modules
        self.facts = facts
    }
}

/// What one drain of the module erasure queue did.
public struct ModuleErasureDrain: Sendable, Hashable {
    /// First passes a module confirmed.
    public var erased = 0
    /// Sweep passes done.
    public var swept = 0
    /// Passes that failed (retried later).
    public var failed = 0

    public init(erased: Int = 0, swept: Int = 0, failed: Int = 0) {
        self.erased = erased
        self.swept = swept
        self.failed = failed
    }
}

extension Vault {
    /// How long after a module confirmed a pupil's erasure the vault runs the module's
    /// `erase_pupil` once more (the sweep), to remove what a request that had received the token
    /// before the erasure committed wrote after the first pass. Longer than any gateway request
    /// (docs/SECURITY.md, "Erasure and the modules").
    public static let moduleErasureSweepDelay: TimeInterval = 15 * 60

    /// The longest wait between two tries of a module that fails.
    public static let moduleErasureMaximumBackoff: TimeInterval = 3_600

    /// Queues the pupil's erasure in every module, in the caller's (the erasure's) transaction:
    /// one `vault.module_erasures` row per pairwise token (due now), then the tokens are deleted
    /// from `vault.module_tokens`. The modules' rows are deleted by ``drainModuleErasures(subject:limit:)``,
    /// never inside the erasure's transaction, so no module can hold back the vault's shredding.
    func queueModuleErasures(
        of subject: SubjectRecord, actor: String, at now: Date, on connection: PostgresConnection
    ) async throws -> [ModuleErasure] {
        let tokens = try await connection.query(
            "SELECT module, token FROM vault.module_tokens WHERE subject_id = \(subject.id) ORDER BY module FOR UPDATE")
        var queued: [ModuleErasure] = []
        for row in tokens {
            let name = try row.decode(String.self, at: 0)
            guard let module = Module(rawValue: name) else { throw VaultError(.storage, reason: "an unknown module in vault.module_tokens") }
            let token = try ModuleToken(parsing: try row.decode(String.self, at: 1))
            guard token.module == module else { throw VaultError(.storage, reason: "a module token of another namespace") }
            try await connection.execute(
                """
                INSERT INTO vault.module_erasures (subject_id, module, token, requested_by, queued_at, due_at)
                VALUES (\(subject.id), \(module.rawValue), \(token.rawValue), \(actor), \(now), \(now))
                ON CONFLICT (subject_id, module) DO NOTHING
                """)
            queued.append(ModuleErasure(module: module.rawValue, removed: [:], status: .pending, attempts: 0))
        }
        try await connection.execute("DELETE FROM vault.module_tokens WHERE subject_id = \(subject.id)")
        return queued
    }

    /// Expires, in the caller's (the erasure's) transaction, every relationship fact whose subject
    /// is the pupil (`assigned_navigator`, `enrolment_pending`, `enrolled_in`), each audited
    /// (`navigator.assignment` end, `trials.relationship_recorded` expired); returns them.
    func expireFacts(
        of subject: SubjectRecord, actor: String, at now: Date, on connection: PostgresConnection
    ) async throws -> (facts: [ExpiredFact], records: [AuditEvent]) {
        let rows = try await connection.query(
            """
            UPDATE policy.relationships SET expired_at = \(Self.whole(now))
            WHERE subject_type = 'pupil' AND subject_id = \(subject.token.rawValue) AND (expired_at IS NULL OR expired_at > \(Self.whole(now)))
            RETURNING kind, object_type, object_id
            """)
        var facts: [ExpiredFact] = []
        var records: [AuditEvent] = []
        for row in rows {
            let kind = try row.decode(String.self, at: 0)
            let object = "\(try row.decode(String.self, at: 1)):\(try row.decode(String.self, at: 2))"
            facts.append(ExpiredFact(kind: kind, object: object))
            if object.hasPrefix("event:") {
                records.append(
                    TrialsRelationshipRecorded(
                        actor: actor, subject: subject.token.rawValue, relation: kind, change: .expired, eventID: object, user: nil,
                        purpose: Self.trialsEnrolmentPurpose
                    ).event)
            } else if kind == "assigned_navigator" {
                records.append(
                    NavigatorAssignmentRecorded(
                        actor: actor, subject: subject.token.rawValue, decision: .permit, purpose: Self.navigatorPurpose, operation: .end,
                        navigator: object
                    ).event)
            }
        }
        return (facts.sorted { ($0.kind, $0.object) < ($1.kind, $1.object) }, records)
    }

    /// Where the erasure of the pupil `token` stands in each module (``ModuleErasure``); empty for
    /// a subject whose erasure queued nothing.
    ///
    /// - Throws: ``VaultError/Code/unknownSubject``, ``VaultError/Code/storage``.
    public func moduleErasures(of token: SubjectToken) async throws(VaultError) -> [ModuleErasure] {
        try await withConnection { connection in
            guard let subject = try await SubjectQueries.byTokens([token], on: connection).first else {
                throw VaultError(.unknownSubject, reason: "no subject has this token")
            }
            return try await Self.moduleErasures(of: subject.id, on: connection)
        }
    }

    static func moduleErasures(of subject: UUID, on connection: PostgresConnection) async throws -> [ModuleErasure] {
        try await connection.query(
            """
            SELECT module, removed::text, erased_at IS NOT NULL, attempts, last_error_code, swept_at IS NOT NULL
            FROM vault.module_erasures WHERE subject_id = \(subject) ORDER BY module
            """
        ).map { row in
            let removed = try JSONDecoder().decode([String: Int64].self, from: Data(try row.decode(String.self, at: 1).utf8))
            return ModuleErasure(
                module: try row.decode(String.self, at: 0), removed: removed, status: try row.decode(Bool.self, at: 2) ? .done : .pending,
                attempts: try row.decode(Int.self, at: 3), lastErrorCode: try row.decode(String?.self, at: 4),
                swept: try row.decode(Bool.self, at: 5))
        }
    }

    /// Runs the due module erasures (all of them, or the pupil `subject`'s), each in a transaction
    /// of its own: the module schema's `erase_pupil(token)` deletes the token's rows. A first pass
    /// marks the module done, audits `module.erased` (counts only) and schedules the sweep after
    /// ``moduleErasureSweepDelay``; the sweep runs it once more (what it removed is audited too)
    /// and forgets the token. A pupil the trials module promoted to a freed seat gets its
    /// `enrolled_in` fact when the vault had issued that pupil's enrolment in the event
    /// (`enrolment_pending`), audited. A failure is recorded (attempts, the error's code) and
    /// retried after a backoff doubling from 30 seconds to ``moduleErasureMaximumBackoff``, in the
    /// failed pass's own transaction (see `runModuleErasure`).
    @discardableResult
    public func drainModuleErasures(subject: UUID? = nil, limit: Int = 100) async throws(VaultError) -> ModuleErasureDrain {
        let now = clock.now
        let due: [Int64] = try await withConnection { connection in
            let rows: QueryResult
            if let subject {
                rows = try await connection.query(
                    """
                    SELECT id FROM vault.module_erasures
                    WHERE swept_at IS NULL AND due_at <= \(now) AND subject_id = \(subject) ORDER BY due_at, id LIMIT \(limit)
                    """)
            } else {
                rows = try await connection.query(
                    "SELECT id FROM vault.module_erasures WHERE swept_at IS NULL AND due_at <= \(now) ORDER BY due_at, id LIMIT \(limit)")
            }
            return try rows.map { try $0.decode(Int64.self, at: 0) }
        }
        var drain = ModuleErasureDrain()
        for id in due {
            let pass: ModuleErasurePass?
            do throws(VaultError) {
                pass = try await withTransaction { connection in
                    try await self.runModuleErasure(id, at: now, on: connection)
                }
            } catch {
                // Not even the failure could be recorded (the database unreachable, a row that
                // names no token): the row stays due, and the next drain tries again.
                drain.failed += 1
                continue
            }
            switch pass {
            case .swept?: drain.swept += 1
            case .erased?: drain.erased += 1
            case .failed?: drain.failed += 1
            case nil: break
            }
        }
        return drain
    }

    /// What one pass of a queue row did.
    private enum ModuleErasurePass {
        case erased, swept, failed
    }

    /// One pass of queue row `id`, holding its row lock throughout: nil when the row was not due
    /// any more (another drain holds or completed it). The module's part runs after `SAVEPOINT
    /// pass`; when it (or what follows it) fails, the pass is rolled back to the savepoint and the
    /// failure recorded (attempts, the SQLSTATE, the next try after the backoff) in the same
    /// transaction, still under the lock, so a failure can never overwrite the outcome of a pass
    /// another drain ran meanwhile (modules attack review 2, #3). The times that set the sweep's
    /// grace (`erased_at`, its `due_at`, `swept_at`) are the database's clock, so a vault process
    /// whose clock is behind cannot shorten it; the retry's backoff counts from the drain's `now`.
    private func runModuleErasure(_ id: Int64, at now: Date, on connection: PostgresConnection) async throws -> ModuleErasurePass? {
        let rows = try await connection.query(
            """
            SELECT m.module, m.token, m.erased_at IS NOT NULL, m.removed::text, m.requested_by, s.token
            FROM vault.module_erasures m JOIN vault.subjects s ON s.id = m.subject_id
            WHERE m.id = \(id) AND m.swept_at IS NULL AND m.due_at <= \(now) FOR UPDATE OF m SKIP LOCKED
            """)
        guard let row = rows.first else { return nil }
        guard let module = Module(rawValue: try row.decode(String.self, at: 0)),
              let token = try row.decode(String?.self, at: 1).flatMap({ try? ModuleToken(parsing: $0) }), token.module == module
        else { throw VaultError(.storage, reason: "a module erasure names no token of its module") }
        let sweep = try row.decode(Bool.self, at: 2)
        let removed = try JSONDecoder().decode([String: Int64].self, from: Data(try row.decode(String.self, at: 3).utf8))
        let actor = try row.decode(String.self, at: 4)
        let pupil = try SubjectToken(parsing: try row.decode(String.self, at: 5))

        try await connection.execute("SAVEPOINT pass")
        do {
            let sweep = try await runModulePass(
                id, module: module, token: token, sweep: sweep, removed: removed, actor: actor, pupil: pupil, at: now, on: connection)
            try await connection.execute("RELEASE SAVEPOINT pass")
            return sweep ? .swept : .erased
        } catch {
            let code = (error as? PostgresError).flatMap(Self.sqlState(of:)) ?? "storage"
            try await connection.execute("ROLLBACK TO SAVEPOINT pass")
            try await connection.execute(
                """
                UPDATE vault.module_erasures
                SET attempts = attempts + 1, last_error_code = \(code),
                    due_at = \(now) + make_interval(secs => least(30 * power(2, least(attempts, 20)), \(Self.moduleErasureMaximumBackoff)))
                WHERE id = \(id)
                """)
            return .failed
        }
    }

    /// The module's part of one pass (after the savepoint): `erase_pupil`, a promoted pupil's
    /// fact, the row's outcome and its audit records; true for a sweep.
    private func runModulePass(
        _ id: Int64, module: Module, token: ModuleToken, sweep: Bool, removed: [String: Int64], actor: String, pupil: SubjectToken,
        at now: Date, on connection: PostgresConnection
    ) async throws -> Bool {
        var removed = removed
        let schema = try SQLIdentifier(module.rawValue)
        let result = try await connection.query(
            module == .trials
                ? "SELECT item, removed, promoted, promoted_event, promoted_until FROM trials.erase_pupil(\(token.rawValue))"
                : """
                SELECT item, removed, NULL::text, NULL::bigint, NULL::timestamptz FROM \(identifier: schema).erase_pupil(\(token.rawValue))
                """)
        var passRemoved: [String: Int64] = [:]
        var records: [AuditEvent] = []
        for item in result {
            let name = try item.decode(String.self, at: 0)
            if name == "promoted" {
                guard let promoted = try item.decode(String?.self, at: 2).flatMap(TrialsToken.init),
                      let event = try item.decode(Int64?.self, at: 3), let until = try item.decode(Date?.self, at: 4)
                else { continue }
                records += try await recordPromotion(promoted, event: String(event), until: until, actor: actor, at: now, on: connection)
                continue
            }
            passRemoved[name, default: 0] += try item.decode(Int64.self, at: 1)
        }
        for (name, count) in passRemoved { removed[name, default: 0] += count }
        let encoded = String(decoding: try JSONEncoder().encode(removed), as: UTF8.self)
        if sweep {
            try await connection.execute(
                """
                UPDATE vault.module_erasures
                SET swept_at = statement_timestamp(), token = NULL, removed = CAST(\(encoded) AS jsonb), attempts = attempts + 1, last_error_code = NULL
                WHERE id = \(id)
                """)
        } else {
            try await connection.execute(
                """
                UPDATE vault.module_erasures
                SET erased_at = statement_timestamp(), removed = CAST(\(encoded) AS jsonb), attempts = attempts + 1, last_error_code = NULL,
                    due_at = statement_timestamp() + make_interval(secs => \(Self.moduleErasureSweepDelay))
                WHERE id = \(id)
                """)
        }
        let count = passRemoved.values.reduce(0, +)
        if !sweep || count > 0 {
            records.append(
                ModuleErased(actor: actor, subject: pupil.rawValue, module: module.rawValue, items: passRemoved.keys.sorted(), removedCount: count)
                    .event)
        }
        try await appendAudit(records, on: connection)
        return sweep
    }

    /// The SQLSTATE of a failed statement, nil when the server did not answer with one.
    private static func sqlState(of error: PostgresError) -> String? {
        switch error.code {
        case .server(let state): state.rawValue
        default: nil
        }
    }

    /// The `enrolled_in` fact of a pupil the trials module seated in `event` when an erased pupil
    /// freed the seat, recorded only when the vault had issued that pupil's enrolment in the
    /// event (a live `enrolment_pending`), ending at `until` or the end of the event window the
    /// vault accepted, whichever is earlier (no window: refused); the audit records to append
    /// (a refusal is returned as a `policy.decided` deny record).
    private func recordPromotion(
        _ token: TrialsToken, event: String, until: Date, actor: String, at now: Date, on connection: PostgresConnection
    ) async throws -> [AuditEvent] {
        guard let subject = try await SubjectQueries.byModuleTokens([ModuleToken(token)], on: connection).first?.1,
              subject.kind == .pupil, !subject.isErased
        else { return [] }
        let pupil = EntityRef("pupil", subject.token.rawValue)
        let object = EntityRef("event", event)
        if try await Self.liveFact("enrolled_in", pupil, object, on: connection) { return [] }
        let refusal = { (rule: String) in
            [
                PolicyDecided(
                    actor: actor, subject: subject.token.rawValue, decision: .deny, purpose: Self.trialsEnrolmentPurpose, action: "create",
                    resource: "enrolment", fieldsRequested: [], rule: rule, policyVersion: Self.auditDigest(of: self.policies.current.version)
                ).event
            ]
        }
        guard try await Self.liveFact(Self.enrolmentPending, pupil, object, on: connection) else {
            return refusal("vault.trials.seat-not-issued")
        }
        // The module's end of the event is capped by the window the vault accepted (0840).
        guard let window = try await Self.eventWindowEnd(event, on: connection) else { return refusal("vault.trials.no-event-window") }
        let until = min(until, window)
        guard now < until else { return [] }
        let store = RelationshipStore(connection: connection)
        try await store.expire(Self.enrolmentPending, subject: pupil, object: object, at: Self.timestamp(now))
        try await store.assert(
            Relationship("enrolled_in", subject: pupil, object: object, validFrom: Self.timestamp(now), validUntil: Self.timestamp(until)))
        return [Self.enrolmentPending, "enrolled_in"].map { relation in
            TrialsRelationshipRecorded(
                actor: actor, subject: subject.token.rawValue, relation: relation, change: relation == "enrolled_in" ? .recorded : .expired,
                eventID: "event:\(event)", user: nil, purpose: Self.trialsEnrolmentPurpose
            ).event
        }
    }
}
