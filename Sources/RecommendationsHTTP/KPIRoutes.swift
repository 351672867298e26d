public import Accounts
public import Gateway
public import Hummingbird

/// `GET /v1/kpi?scope=region|school|venue&id=…`, behind a staff session: the monthly KPI of the
/// last 12 months (``KPIDesk``), every figure under 5 answered `"<5"`. The policy's `kpi` rules
/// decide (a school or navigator its own school, a venue itself, a coordinator its region, the
/// operator all), in the vault, for purpose `kpi_aggregate`; a refusal is `403 forbidden`.
public enum KPIRoutes {
    /// Adds the route to `router`.
    public static func add(to router: Router<BiletRequestContext>, sessions: StaffSessions, desk: KPIDesk) {
        router.group("/v1/kpi").add(middleware: StaffSessionMiddleware(sessions: sessions)).get { request, context -> Response in
            let session = try context.requireStaff()
            let query = request.uri.queryParameters
            guard let scope = query["scope"].map(String.init), let id = query["id"].map(String.init) else { throw KPIRefusal.invalidQuery }
            return JSONBody.response(.ok, try await desk.report(session, scope: scope, id: id))
        }
    }
}
