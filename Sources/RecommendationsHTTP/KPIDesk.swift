public import Accounts
public import Assessment
public import Foundation
public import Gateway
import PostgreSQL
public import Recommendations
public import Trials
public import VaultDoor
import VaultHTTP

/// The KPI per region, school or venue and month: pupils registered and consents collected (the
/// vault's counts, through its door, which decides `aggregate` on the `kpi` resource and audits a
/// refusal), tests completed (assessment), trials attended (trials), recommendations delivered
/// (published; recommendations). Each module is counted through its own role by the aggregation
/// keys its rows carry (school, venue, region codes); no pupil token leaves a module and only
/// suppressed figures (``SuppressedCount``) leave the server.
public struct KPIDesk: Sendable {
    /// The months of a report, the current one included.
    public static let months = 12

    public let recommendations: RecommendationsStore
    public let assessment: AssessmentStore
    public let trials: TrialsStore
    public let door: VaultDoorClient
    /// The region of a school or venue (kind, id), from the organisation registry; `nil` when
    /// there is no such organisation. A storage error is thrown (the report answers 503).
    public let regionOf: @Sendable (String, String) async throws -> String?

    /// A desk over the modules' stores and the vault's door.
    public init(
        recommendations: RecommendationsStore, assessment: AssessmentStore, trials: TrialsStore, door: VaultDoorClient,
        regionOf: @escaping @Sendable (String, String) async throws -> String?
    ) {
        self.recommendations = recommendations
        self.assessment = assessment
        self.trials = trials
        self.door = door
        self.regionOf = regionOf
    }

    /// The report of `scope` (`region`, `school`, `venue`) `id` for the caller, the window ending
    /// at `now`.
    public func report(_ session: StaffSession, scope: String, id: String, now: Date = Date()) async throws -> KPIReport {
        guard ["region", "school", "venue"].contains(scope), Self.isCode(id) else { throw KPIRefusal.invalidQuery }
        let region: String
        if scope == "region" {
            region = id
        } else if session.organisation.kind.rawValue == scope, session.organisation.id.value == id, let own = session.region {
            region = own
        } else {
            region = try await Self.region(of: scope, id, lookup: regionOf)
        }
        let since = Self.windowStart(now)
        let answer = try await DoorCalls.call(
            door, .kpi(.counts(scope: scope, id: id, region: region, since: since.ISO8601Format()), caller: DoorCalls.caller(for: session)))
        guard case .kpi(.months(let vaultMonths)) = answer else { throw Problem.internalError }
        var raw: [String: RawKPICounts] = [:]
        for month in vaultMonths {
            raw[month.month, default: RawKPICounts()].pupilsRegistered = month.pupilsRegistered
            raw[month.month, default: RawKPICounts()].consentsCollected = month.consentsCollected
        }
        do {
            try await moduleCounts(scope: scope, id: id, region: region, since: since, into: &raw)
        } catch {
            throw Problem.unavailable
        }
        let months = Self.monthKeys(ending: now)
        return KPIReport(scope: scope, id: id, months: months.map { KPIMonth(month: $0, raw: raw[$0] ?? RawKPICounts()) })
    }

    /// The modules' monthly counts of `scope` `id` in `region` since `since`, added to `raw`:
    /// tests completed, trials attended, recommendations delivered (pupils with a published one),
    /// each through the module's own role from its monthly counters (`<module>.kpi_counters`,
    /// migration 0810: kept by triggers in the transaction of the change they count), so a report
    /// reads at most 12 rows per measure. Public for the benchmark.
    public func moduleCounts(scope: String, id: String, region: String, since: Date, into raw: inout [String: RawKPICounts]) async throws {
        if scope != "venue" {
            for (month, count) in try await Self.monthly(
                assessment.pool,
                """
                SELECT to_char(month, 'YYYY-MM'), n FROM assessment.kpi_counters
                WHERE region = \(region) AND scope = \(scope) AND key = \(id) AND measure = 'tests_completed'
                  AND month >= (CAST(\(since) AS timestamptz) AT TIME ZONE 'UTC')::date
                """)
            {
                raw[month, default: RawKPICounts()].testsCompleted = count
            }
            for (month, count) in try await Self.monthly(
                recommendations.pool,
                """
                SELECT to_char(month, 'YYYY-MM'), n FROM recommendations.kpi_counters
                WHERE region = \(region) AND scope = \(scope) AND key = \(id) AND measure = 'recommendations_delivered'
                  AND month >= (CAST(\(since) AS timestamptz) AT TIME ZONE 'UTC')::date
                """)
            {
                raw[month, default: RawKPICounts()].recommendationsDelivered = count
            }
        }
        for (month, count) in try await Self.monthly(
            trials.pool,
            """
            SELECT to_char(month, 'YYYY-MM'), n FROM trials.kpi_counters
            WHERE region = \(region) AND scope = \(scope) AND key = \(id) AND measure = 'trials_attended'
              AND month >= (CAST(\(since) AS timestamptz) AT TIME ZONE 'UTC')::date
            """)
        {
            raw[month, default: RawKPICounts()].trialsAttended = count
        }
    }

    /// The region of `scope` `id` by `lookup`: an unknown organisation answers like one the caller
    /// may not see (`403 forbidden`); a registry that cannot be read is `503 unavailable`, not a
    /// refusal.
    static func region(
        of scope: String, _ id: String, lookup: @Sendable (String, String) async throws -> String?
    ) async throws -> String {
        let found: String?
        do {
            found = try await lookup(scope, id)
        } catch {
            throw Problem.unavailable
        }
        guard let found else { throw RecommendationsHTTPRefusal.forbidden }
        return found
    }

    static func monthly(_ pool: PostgresConnectionPool, _ statement: SQLStatement) async throws -> [(String, Int)] {
        try await pool.query(statement).map { (try $0.decode(String.self, at: 0), Int(try $0.decode(Int64.self, at: 1))) }
    }

    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    /// The first instant of the window's first month.
    public static func windowStart(_ now: Date) -> Date {
        let first = utc.date(from: utc.dateComponents([.year, .month], from: now))!
        return utc.date(byAdding: .month, value: -(months - 1), to: first)!
    }

    /// `YYYY-MM` of each month of the window, oldest first.
    static func monthKeys(ending now: Date) -> [String] {
        let start = windowStart(now)
        return (0..<months).map { offset in
            let date = utc.date(byAdding: .month, value: offset, to: start)!
            let parts = utc.dateComponents([.year, .month], from: date)
            return String(format: "%04d-%02d", parts.year!, parts.month!)
        }
    }

    static func isCode(_ text: String) -> Bool {
        (1...32).contains(text.count) && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
    }
}

/// The KPI route's own refusals.
public enum KPIRefusal: Error, HTTPProblemConvertible {
    /// `400 invalid-query`: scope is region, school or venue and id a registry code.
    case invalidQuery

    public var problem: Problem {
        Problem(.badRequest, code: "invalid-query", title: "scope is region, school or venue, and id a registry code.")
    }
}
