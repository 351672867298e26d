public import PostgreSQL
public import Foundation

/// Filters for ``AuditQueryService/query(_:)``; nil means "any".
public struct AuditQuery: Sendable, Hashable {
    /// Events about this subject token.
    public var subject: String?
    /// Events by this actor identifier.
    public var actor: String?
    /// Events of this type (the action).
    public var type: String?
    /// Events with this decision.
    public var decision: String?
    /// Recorded at or after.
    public var from: Date?
    /// Recorded before.
    public var to: Date?
    /// The most entries returned (oldest first).
    public var limit: Int

    /// A query.
    public init(
        subject: String? = nil, actor: String? = nil, type: String? = nil, decision: String? = nil, from: Date? = nil,
        to: Date? = nil, limit: Int = 1000
    ) {
        self.subject = subject
        self.actor = actor
        self.type = type
        self.decision = decision
        self.from = from
        self.to = to
        self.limit = limit
    }

    /// The names of the filters in use (recorded in the `audit.read` event; values are not).
    var filterNames: [String] {
        var names: [String] = []
        if subject != nil { names.append("subject") }
        if actor != nil { names.append("actor") }
        if type != nil { names.append("type") }
        if decision != nil { names.append("decision") }
        if from != nil { names.append("from") }
        if to != nil { names.append("to") }
        return names
    }
}

/// Who accessed one pupil's data, when, for which purpose, under which consent.
public struct SubjectReport: Sendable, Hashable {
    /// The subject token.
    public let subject: String
    /// Every event about the subject, oldest first.
    public let entries: [AuditEntry]
    /// The distinct actors who read or resolved the subject's data.
    public var readers: [String] {
        var seen: [String] = []
        for entry in entries where ["pii.read", "token.resolved"].contains(entry.type) && entry.decision == "permit" {
            if let actor = entry.actor, !seen.contains(actor) { seen.append(actor) }
        }
        return seen
    }
}

/// The compliance officers' tools as Swift functions (the CLI and, later, the gateway's HTTP API
/// call these): query, subject report, export, gaps, inclusion and consistency proofs.
///
/// Reads go through `reader` (role `bilet_audit`). Every call that reads the log first runs the
/// read and then records an `audit.read` event through `recorder` (an application role's pool)
/// naming the officer, the purpose, the tool, the filter names and the number of results; if that
/// record cannot be written the call fails and returns nothing.
public struct AuditQueryService: Sendable {
    /// Reads the log.
    public let reader: PostgresConnectionPool
    /// Appends the `audit.read` events.
    public let recorder: PostgresConnectionPool
    /// Who is reading (an identifier, `user:…`).
    public let officer: String
    /// Why (a purpose code, for example `compliance_review`).
    public let purpose: String
    /// The SHA-256 (hex) of the policy set that permitted the reads, recorded with each
    /// `audit.read` event; nil for the command line, which no policy guards.
    public let policyVersion: String?
    private let log: AuditLog

    /// A service for `officer` reading for `purpose`, under the policy set `policyVersion` when
    /// the policy engine permitted the reads.
    public init(
        reader: PostgresConnectionPool, recorder: PostgresConnectionPool, officer: String, purpose: String,
        policyVersion: String? = nil, log: AuditLog = AuditLog()
    ) {
        self.reader = reader
        self.recorder = recorder
        self.officer = officer
        self.purpose = purpose
        self.policyVersion = policyVersion
        self.log = log
    }

    /// The store behind ``reader``.
    public var store: PostgresAuditStore { PostgresAuditStore(pool: reader) }

    /// Records that the log was read.
    func recordRead(_ tool: String, subject: String? = nil, filters: [String] = [], results: Int? = nil) async throws(AuditError) {
        var fields: [String: AuditValue] = ["query": .string(tool)]
        if !filters.isEmpty { fields["filters"] = .list(filters) }
        if let results { fields["result_count"] = .integer(Int64(results)) }
        if let policyVersion { fields["policy_version"] = .string(policyVersion) }
        try await log.append(
            AuditEvent(type: "audit.read", actor: officer, subject: subject, purpose: purpose, fields: fields), using: recorder)
    }

    /// Events matching `query`, oldest first.
    ///
    /// - Throws: ``AuditError/Code/invalidArgument`` for a malformed subject token or actor;
    ///   storage errors; the recording errors.
    public func query(_ query: AuditQuery) async throws(AuditError) -> [AuditEntry] {
        let entries = try await fetch(query)
        try await recordRead("query", subject: query.subject, filters: query.filterNames, results: entries.count)
        return entries
    }

    /// Everything recorded about one pupil, by token.
    public func report(subject: String) async throws(AuditError) -> SubjectReport {
        let entries = try await fetch(AuditQuery(subject: subject, limit: 100_000))
        try await recordRead("report", subject: subject, filters: ["subject"], results: entries.count)
        return SubjectReport(subject: subject, entries: entries)
    }

    /// The export formats for SIEMs.
    public enum ExportFormat: String, Sendable, CaseIterable {
        /// One JSON object per line.
        case jsonLines = "jsonl"
        /// RFC 5424 syslog lines.
        case syslog
    }

    /// Exports events matching `query`, one line each, to `write`.
    public func export(_ query: AuditQuery, format: ExportFormat, hostname: String, write: (String) -> Void) async throws(AuditError) {
        let entries = try await fetch(query)
        try await recordRead("export", subject: query.subject, filters: query.filterNames, results: entries.count)
        for entry in entries {
            write(format == .jsonLines ? entry.jsonLine : entry.syslogLine(hostname: hostname))
        }
    }

    /// The newest signed checkpoint, nil while none is signed.
    public func checkpoint() async throws(AuditError) -> SignedCheckpoint? {
        let checkpoint = try await store.latestCheckpoint()
        try await recordRead("checkpoint", results: checkpoint == nil ? 0 : 1)
        return checkpoint
    }

    /// An offline-checkable inclusion proof of leaf `leafIndex` against the newest checkpoint
    /// (or checkpoint `sequence`).
    ///
    /// - Throws: ``AuditError/Code/notFound`` when no checkpoint covers the leaf yet or the record is gone.
    public func prove(leafIndex: UInt64, sequence: UInt64? = nil) async throws(AuditError) -> ProofBundle {
        guard let checkpoint = try await store.checkpoint(sequence: sequence), checkpoint.checkpoint.size > leafIndex else {
            throw AuditError(.notFound, "no checkpoint covers leaf \(leafIndex) yet")
        }
        let bundle = try await inclusionBundle(leafIndex, checkpoint: checkpoint)
        try await recordRead("prove", results: 1)
        return bundle
    }

    /// An inclusion bundle of leaf `leafIndex` against `checkpoint`, without recording a read.
    func inclusionBundle(_ leafIndex: UInt64, checkpoint: SignedCheckpoint) async throws(AuditError) -> ProofBundle {
        guard let (leaf, record) = try await store.leaf(at: leafIndex), let record else {
            throw AuditError(.notFound, "leaf \(leafIndex) has no record")
        }
        let digest = record.payload == nil ? leaf.payloadDigest : record.payloadDigest
        let proof = try await store.inclusionProof(leafIndex: leafIndex, treeSize: checkpoint.checkpoint.size)
        return ProofBundle(inclusion: proof, leafInput: record.leafInput(payloadDigest: digest), checkpoint: checkpoint)
    }

    /// An offline-checkable consistency proof between the signed checkpoints of sizes `from`
    /// and `to` (the newest checkpoint when `to` is nil).
    ///
    /// - Throws: ``AuditError/Code/notFound`` when no signed checkpoint has one of the sizes.
    public func consistency(from: UInt64, to: UInt64?) async throws(AuditError) -> ProofBundle {
        guard let older = try await store.checkpoint(size: from) else {
            throw AuditError(.notFound, "no checkpoint has size \(from)")
        }
        let newer: SignedCheckpoint?
        if let to {
            newer = try await store.checkpoint(size: to)
        } else {
            newer = try await store.latestCheckpoint()
        }
        guard let newer else { throw AuditError(.notFound, "no checkpoint has size \(to ?? 0)") }
        let proof = try await store.consistencyProof(from: older.checkpoint.size, to: newer.checkpoint.size)
        try await recordRead("consistency", results: 1)
        return ProofBundle(consistency: proof, from: older, to: newer)
    }

    /// Verifies the whole log (see ``AuditVerifier``), recording the read.
    public func verify(logKey: NoteVerifierKey, savedCheckpoints: [SignedCheckpoint] = []) async throws(AuditError) -> AuditVerificationReport {
        let report = try await AuditVerifier(pool: reader, logKey: logKey).verify(savedCheckpoints: savedCheckpoints)
        try await recordRead("verify", results: Int(clamping: report.recordsChecked))
        return report
    }

    private func fetch(_ query: AuditQuery) async throws(AuditError) -> [AuditEntry] {
        if let subject = query.subject, !AuditPatterns.isToken(subject) {
            throw AuditError(.invalidArgument, "the subject filter is not a token")
        }
        if let actor = query.actor, !AuditPatterns.isIdentifier(actor) {
            throw AuditError(.invalidArgument, "the actor filter is not an identifier")
        }
        var sql = SQLStatement.StringInterpolation(literalCapacity: 600, interpolationCount: 8)
        sql.appendLiteral(
            """
            SELECT l.leaf_index, e.id, CAST(EXTRACT(EPOCH FROM e.recorded_at) * 1000000 AS int8), e.kind, e.catalogue_version,
                   e.actor, e.subject, e.decision, e.purpose, CAST(e.payload AS text),
                   CAST(EXTRACT(EPOCH FROM e.pruned_at) * 1000000 AS int8), CAST(e.written_by AS text)
            FROM audit.events e LEFT JOIN audit.leaves l ON l.event_id = e.id
            WHERE true
            """)
        // Each filter in use adds one parameterised condition; values are never written into the text.
        func condition<Value: SQLEncodable>(_ text: StaticString, _ value: Value?) {
            guard let value else { return }
            sql.appendLiteral(text)
            sql.appendInterpolation(value)
        }
        condition(" AND e.subject = ", query.subject)
        condition(" AND e.actor = ", query.actor)
        condition(" AND e.kind = ", query.type)
        condition(" AND e.decision = ", query.decision)
        condition(" AND e.recorded_at >= ", query.from)
        condition(" AND e.recorded_at < ", query.to)
        sql.appendLiteral(" ORDER BY e.recorded_at, e.id LIMIT ")
        sql.appendInterpolation(Int64(max(0, query.limit)))
        do {
            let rows = try await reader.query(SQLStatement(stringInterpolation: sql))
            return try rows.map { row in
                let record = AuditRecord(
                    id: try row.decode(Int64.self, at: 1), recordedAtMicroseconds: try row.decode(Int64.self, at: 2),
                    kind: try row.decode(String.self, at: 3), catalogueVersion: try row.decode(Int?.self, at: 4),
                    actor: try row.decode(String?.self, at: 5), subject: try row.decode(String?.self, at: 6),
                    decision: try row.decode(String?.self, at: 7), purpose: try row.decode(String?.self, at: 8),
                    payload: try row.decode(String?.self, at: 9), prunedAtMicroseconds: try row.decode(Int64?.self, at: 10),
                    writtenBy: try row.decode(String.self, at: 11))
                return AuditEntry(leafIndex: try row.decode(Int64?.self, at: 0).map { UInt64($0) }, record: record)
            }
        } catch {
            throw AuditError.from(error, while: "querying the audit log")
        }
    }
}
