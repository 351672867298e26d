import Audit
public import Foundation
import Policy
public import PostgreSQL

/// The vault's monthly figures for the KPI: counts only, never a token or a name.
public struct VaultKPIMonth: Sendable, Hashable, Codable {
    /// `2026-09`.
    public var month: String
    /// Pupils registered in the month and not erased since.
    public var pupilsRegistered: Int
    /// Pupils whose consent was recorded in the month (one per pupil however many purposes the
    /// form names; first versions only: a renewal is not a new consent; a withdrawn consent still counts in the month it was given; an
    /// erased pupil's do not).
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
    /// `organisation` (nil: all) of `region` (nil: all) since `since`, read from the monthly
    /// counters `vault.kpi_counters` (migration 0810: kept by triggers in the transaction of each
    /// registration, transfer, erasure and consent; at most 12 rows per measure for one school or
    /// region). Erased pupils count in no month; a withdrawn consent still counts in the month it
    /// was given. Public for the benchmark.
    public static func kpiCountsQuery(organisation: String?, region: String?, since: Date) -> SQLStatement {
        let scope = organisation == nil ? "region" : "school"
        let key = organisation ?? region
        // One index range of the counters' primary key when the region is known (every report);
        // the national figures (no region) sum the regions' rows.
        if let region, let key {
            return """
                SELECT to_char(month, 'YYYY-MM'),
                       coalesce(sum(n) FILTER (WHERE measure = 'pupils_registered'), 0)::bigint,
                       coalesce(sum(n) FILTER (WHERE measure = 'consents_collected'), 0)::bigint
                FROM vault.kpi_counters
                WHERE region = \(region) AND scope = \(scope) AND key = \(key)
                  AND month >= (CAST(\(since) AS timestamptz) AT TIME ZONE 'UTC')::date
                GROUP BY month ORDER BY month
                """
        }
        return """
            SELECT to_char(month, 'YYYY-MM'),
                   coalesce(sum(n) FILTER (WHERE measure = 'pupils_registered'), 0)::bigint,
                   coalesce(sum(n) FILTER (WHERE measure = 'consents_collected'), 0)::bigint
            FROM vault.kpi_counters
            WHERE scope = \(scope) AND (\(key)::text IS NULL OR key = \(key)) AND (\(region)::text IS NULL OR region = \(region))
              AND month >= (CAST(\(since) AS timestamptz) AT TIME ZONE 'UTC')::date
            GROUP BY month ORDER BY month
            """
    }
}
