public import Audit
import Foundation
public import PostgreSQL

/// The incident register (152-FZ art. 21 part 3.1; migration 0860) on the gateway's own role,
/// `bilet_gateway`: records breaches, changes their status, description and notices, reads them
/// with their deadlines judged by the database's clock, and computes who they affected from the
/// audit log through `incidents.affected` (the role itself cannot read the log).
///
/// Every change is audited (`incident.changed`) in the same transaction: if the record cannot be
/// written, nothing changes. Whether a staff member may act at all is the policy engine's decision,
/// taken by the caller before (IncidentsHTTP), which records refusals with ``recordDenial(_:)``.
public struct IncidentRegister: Sendable {
    private let pool: PostgresConnectionPool
    private let log: AuditLog

    /// A register on `pool` (role `bilet_gateway`).
    public init(pool: PostgresConnectionPool, log: AuditLog = AuditLog()) {
        self.pool = pool
        self.log = log
    }

    /// Records `report` for `actor` (`user:usr_…`); `policyVersion` is the policy set that
    /// permitted it. Returns the record and its impact.
    ///
    /// - Throws: ``IncidentReport/validated()``'s errors, ``IncidentsError/Code/discoveredInFuture``
    ///   when the discovery time is later than the database's clock,
    ///   ``IncidentsError/Code/auditUnavailable``, ``IncidentsError/Code/storage``.
    public func record(
        _ report: IncidentReport, by actor: String, policyVersion: String?
    ) async throws(IncidentsError) -> (IncidentRecord, IncidentImpact) {
        try report.validated()
        let id = Self.newIdentifier()
        let scope = report.scope
        let log = self.log
        do {
            return try await pool.withTransaction { connection in
                let rows = try await connection.query(
                    """
                    INSERT INTO incidents.incidents
                        (id, kind, description, discovered_at, scope_from, scope_until, scope_actor, scope_certificate, scope_organisation,
                         recorded_by)
                    SELECT \(id), \(report.kind.rawValue), \(report.description), \(report.discoveredAt), \(scope.from), \(scope.until),
                        \(scope.actor), \(scope.certificate), \(scope.organisation), \(actor)
                    WHERE \(report.discoveredAt) <= clock_timestamp()
                    RETURNING id
                    """)
                guard !rows.isEmpty else {
                    throw IncidentsError(.discoveredInFuture, "discovered_at is later than the database's clock")
                }
                let record = try await Self.fetch(id, on: connection)
                let impact = try await Self.impact(of: id, on: connection)
                try await Self.append(
                    IncidentChanged(
                        actor: actor, incident: id, change: .recorded, kind: record.kind.rawValue, status: record.status.rawValue,
                        fields: ["discovered_at", "kind", "description", "scope"], affectedSubjects: impact.subjects.count,
                        policyVersion: policyVersion),
                    log, on: connection)
                return (record, impact)
            }
        } catch {
            throw Self.map(error, "recording the incident")
        }
    }

    /// Applies `update` to incident `id` for `actor`.
    ///
    /// - Throws: ``IncidentsError/Code/invalidArgument`` (nothing to change, a bad description),
    ///   ``IncidentsError/Code/notFound``, ``IncidentsError/Code/noticeOrder`` (results before the
    ///   first notice), ``IncidentsError/Code/auditUnavailable``, ``IncidentsError/Code/storage``.
    public func update(
        _ id: String, _ update: IncidentUpdate, by actor: String, policyVersion: String?
    ) async throws(IncidentsError) -> IncidentRecord {
        guard !update.fields.isEmpty else { throw IncidentsError(.invalidArgument, "the update changes nothing") }
        if let description = update.description { try IncidentReport.checkDescription(description) }
        let log = self.log
        do {
            return try await pool.withTransaction { connection in
                let current = try await connection.query(
                    "SELECT first_notice_sent_at IS NOT NULL FROM incidents.incidents WHERE id = \(id) FOR UPDATE")
                guard let row = current.first else { throw IncidentsError(.notFound, "no incident has this id") }
                let firstNoticeWasSent = try row.decode(Bool.self, at: 0)
                guard !update.resultsSent || update.firstNoticeSent || firstNoticeWasSent else {
                    throw IncidentsError(.noticeOrder, "the first notice must be sent before the results")
                }
                let rows = try await connection.query(
                    """
                    UPDATE incidents.incidents SET
                        status = COALESCE(\(update.status?.rawValue), status),
                        description = COALESCE(\(update.description), description),
                        first_notice_sent_at = CASE WHEN \(update.firstNoticeSent) THEN COALESCE(first_notice_sent_at, clock_timestamp())
                                                    ELSE first_notice_sent_at END,
                        results_sent_at = CASE WHEN \(update.resultsSent) THEN COALESCE(results_sent_at, clock_timestamp())
                                               ELSE results_sent_at END,
                        updated_at = clock_timestamp()
                    WHERE id = \(id)
                    """)
                guard rows.affectedRows == 1 else { throw IncidentsError(.notFound, "no incident has this id") }
                let record = try await Self.fetch(id, on: connection)
                try await Self.append(
                    IncidentChanged(
                        actor: actor, incident: id, change: .updated, kind: record.kind.rawValue, status: record.status.rawValue,
                        fields: update.fields, policyVersion: policyVersion),
                    log, on: connection)
                return record
            }
        } catch {
            throw Self.map(error, "updating the incident")
        }
    }

    /// Incident `id` and its impact, if recorded.
    ///
    /// - Throws: ``IncidentsError/Code/storage``.
    public func find(_ id: String) async throws(IncidentsError) -> (IncidentRecord, IncidentImpact)? {
        do {
            return try await pool.withTransaction(isolation: .repeatableRead) { connection in
                guard let record = try await Self.fetchIfRecorded(id, on: connection) else { return nil }
                return (record, try await Self.impact(of: id, on: connection))
            }
        } catch {
            throw Self.map(error, "reading the incident")
        }
    }

    /// The incidents, latest discovery first; at most `limit`.
    ///
    /// - Throws: ``IncidentsError/Code/storage``.
    public func list(limit: Int = 500) async throws(IncidentsError) -> [IncidentRecord] {
        do {
            return try await pool.query(
                "SELECT * FROM incidents.register ORDER BY discovered_at DESC, id LIMIT \(limit)"
            ).map(Self.record)
        } catch {
            throw Self.map(error, "listing incidents")
        }
    }

    /// Records a refusal the caller answers (`policy.decided`, decision `deny`), in a transaction of
    /// its own.
    ///
    /// - Throws: ``IncidentsError/Code/auditUnavailable``.
    public func recordDenial(_ denial: PolicyDecided) async throws(IncidentsError) {
        do {
            try await log.append(denial, using: pool)
        } catch {
            throw IncidentsError(.auditUnavailable, "the audit record could not be written (\(error.code.rawValue))")
        }
    }

    /// `inc_` and 22 base64url characters of a random UUID (122 random bits).
    static func newIdentifier() -> String {
        let uuid = UUID().uuid
        let bytes = withUnsafeBytes(of: uuid) { Data($0) }
        let text = bytes.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "inc_\(text)"
    }

    private static func fetchIfRecorded(_ id: String, on connection: PostgresConnection) async throws -> IncidentRecord? {
        try await connection.query("SELECT * FROM incidents.register WHERE id = \(id)").first.map(record)
    }

    private static func fetch(_ id: String, on connection: PostgresConnection) async throws -> IncidentRecord {
        guard let record = try await fetchIfRecorded(id, on: connection) else { throw IncidentsError(.notFound, "no incident has this id") }
        return record
    }

    private static func impact(of id: String, on connection: PostgresConnection) async throws -> IncidentImpact {
        let rows = try await connection.query("SELECT item, value FROM incidents.affected(\(id))")
        var subjects: [String] = []
        var organisations: [String] = []
        for row in rows {
            let value = try row.decode(String.self, at: 1)
            if try row.decode(String.self, at: 0) == "subject" { subjects.append(value) } else { organisations.append(value) }
        }
        return IncidentImpact(subjects: subjects, organisations: organisations)
    }

    private static func append(_ event: some TypedAuditEvent, _ log: AuditLog, on connection: PostgresConnection) async throws(IncidentsError) {
        do {
            try await log.append(event, on: connection)
        } catch {
            throw IncidentsError(.auditUnavailable, "the audit record could not be written (\(error.code.rawValue))")
        }
    }

    private static func map(_ error: any Error, _ what: String) -> IncidentsError {
        if let error = error as? IncidentsError { return error }
        return IncidentsError(.storage, "\(what) failed")
    }

    static func record(_ row: Row) throws -> IncidentRecord {
        guard let kind = IncidentKind(rawValue: try row.decode(String.self, at: 1)),
              let status = IncidentStatus(rawValue: try row.decode(String.self, at: 2))
        else { throw IncidentsError(.storage, "a stored incident does not match the schema") }
        return IncidentRecord(
            id: try row.decode(String.self, at: 0), kind: kind, status: status, description: try row.decode(String.self, at: 3),
            discoveredAt: try row.decode(Date.self, at: 4),
            scope: IncidentScope(
                from: try row.decode(Date.self, at: 5), until: try row.decode(Date.self, at: 6), actor: try row.decode(String?.self, at: 7),
                certificate: try row.decode(String?.self, at: 8), organisation: try row.decode(String?.self, at: 9)),
            firstNoticeSentAt: try row.decode(Date?.self, at: 10), resultsSentAt: try row.decode(Date?.self, at: 11),
            recordedBy: try row.decode(String.self, at: 12), createdAt: try row.decode(Date.self, at: 13),
            updatedAt: try row.decode(Date.self, at: 14), readAt: try row.decode(Date.self, at: 15))
    }
}
