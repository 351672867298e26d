import Audit
public import Foundation
import Policy
public import PostgreSQL

/// The vault's monthly figures for the KPI: counts only, never a token or a name.
public struct VaultKPIMonth: Sendable, Hashable, Codable {
    /// `2026-09`.
    public var month: String
    /// Pupils registered in the month.
    public var pupilsRegistered: Int
    /// Pupils whose consent was recorded in the month (one per pupil however many purposes the
    /// form names; first versions only: a renewal is not a new consent).
    public var consentsCollected: Int

    /// Creates a month's figures.
    public init(month: String, pupilsRegistered: Int, consentsCollected: Int) {
        self.month = month
        self.pupilsRegistered = pupilsRegistered
        self.consentsCollected = consentsCollected
    }
}

extension Vault {
    /// The purpose of aggregate indicators.
    public static let kpiPurpose = "kpi_aggregate"

    /// Pupils registered and consents collected per month since `since`, for the pupils of school
    /// `organisation` (nil: every school) of region `region` (nil: the whole country), as
    /// `requester` may aggregate them: the policy decides `aggregate` on the `kpi` resource
    /// (`region`, `organisation`) for `kpi_aggregate`; a refusal is audited (`policy.decided`, deny)
    /// and thrown. Only counts leave: the caller suppresses small ones before they leave the server.
    ///
    /// - Throws: ``VaultError/Code/policyDenied``, ``VaultError/Code/invalidRequest``,
    ///   ``VaultError/Code/sealed``, ``VaultError/Code/auditFailed``, ``VaultError/Code/storage``.
    public func kpiCounts(
        organisation: String?, organisationKind: String = "school", region: String?, since: Date, by requester: Requester
    ) async throws(VaultError) -> [VaultKPIMonth] {
        _ = try keys()
        try checkRequest(requester: requester, purpose: Self.kpiPurpose)
        let now = clock.now
        let policySet = policies.current
        var attributes: [String: Value] = [:]
        if let region { attributes["region"] = .entity(EntityRef("region", region)) }
        if let organisation { attributes["organisation"] = .entity(EntityRef(organisationKind, organisation)) }
        let resource = Resource(type: "kpi", id: "kpi:\(organisation ?? region ?? "national")", attributes: attributes)
        let outcome: Result<[VaultKPIMonth], VaultError> = try await withTransaction { connection in
            let guarded = self.accessGuard(requester, policySet: policySet, at: now, on: connection)
            if let refusal = try await guarded.permitOrAuditDenial("aggregate", resource, subject: nil, purpose: Self.kpiPurpose) {
                return .failure(refusal)
            }
            // Pupils belong to schools: a venue's figures have none of the vault's.
            guard organisationKind == "school" || organisation == nil else { return .success([]) }
            let rows = try await connection.query(Self.kpiCountsQuery(organisation: organisation, region: region, since: since))
            return .success(
                try rows.map { row throws(PostgresError) in
                    VaultKPIMonth(
                        month: try row.decode(String.self, at: 0), pupilsRegistered: Int(try row.decode(Int64.self, at: 1)),
                        consentsCollected: Int(try row.decode(Int64.self, at: 2)))
                })
        }
        return try outcome.get()
    }

    /// The statement of ``kpiCounts(organisation:organisationKind:region:since:by:)``: per month
    /// (`YYYY-MM`), pupils registered and pupils with a consent recorded, for the school
    /// `organisation` (nil: all) of `region` (nil: all) since `since`. Public for the benchmark.
    public static func kpiCountsQuery(organisation: String?, region: String?, since: Date) -> SQLStatement {
        """
        WITH p AS (
            SELECT to_char(date_trunc('month', s.created_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, count(*) AS n
            FROM vault.subjects s
            WHERE s.kind = 'pupil' AND s.created_at >= \(since)
              AND (\(organisation)::text IS NULL OR s.organisation = \(organisation))
              AND (\(region)::text IS NULL OR s.region = \(region))
            GROUP BY 1
        ), c AS (
            SELECT to_char(date_trunc('month', c.recorded_at AT TIME ZONE 'UTC'), 'YYYY-MM') AS month, count(DISTINCT c.subject_id) AS n
            FROM vault.consents c JOIN vault.subjects s ON s.id = c.subject_id
            WHERE c.version = 1 AND c.recorded_at >= \(since) AND s.kind = 'pupil'
              AND (\(organisation)::text IS NULL OR s.organisation = \(organisation))
              AND (\(region)::text IS NULL OR s.region = \(region))
            GROUP BY 1
        )
        SELECT coalesce(p.month, c.month), coalesce(p.n, 0)::bigint, coalesce(c.n, 0)::bigint
        FROM p FULL JOIN c ON c.month = p.month ORDER BY 1
        """
    }
}
