import Foundation
import Gateway
import TLSTestSupport
import Testing
@testable import Platform

/// One route table and one set of handlers serve both protocols: every route of the platform
/// (``PlatformRoutes``, every group set, as `bilet serve` builds it) answers an HTTP/1.1 request
/// and the same request over HTTP/2 with the same status and the same body, on both listeners.
///
/// The requests carry no session, and the database is one that is never reached, so each answer
/// is a refusal or an error rendered by the shared code: which is what must not differ.
@Suite struct HTTPVersionParityTests {
    /// `path` with each `{parameter}` filled in.
    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: #"\{[^}]+\}"#, with: "x1", options: .regularExpression)
    }

    static func ask(
        _ harness: GatewayHarness<TestPKI>, _ listener: String, _ client: TestPKI.Client?, _ version: String, _ route: RouteTable.Route
    ) async throws -> (version: String, status: String, body: String) {
        let body = ["POST", "PUT", "PATCH"].contains(route.method.rawValue)
            ? ["-H", "Content-Type: application/json", "--data-binary", "{}"] : []
        let answer = try await harness.curlAnswer(
            listener, client, version: version, path: Self.concrete(route.path), method: route.method.rawValue, extra: body)
        return (answer.version, answer.status, Self.withoutFormTokens(answer.body))
    }

    /// `body` with each form's CSRF token blanked: a sign-in or activation page sets a new random
    /// pre-session cookie on every request without one and binds its token to it, so the token
    /// differs from one request to the next by design, whatever the HTTP version.
    static func withoutFormTokens(_ body: String) -> String {
        body.replacingOccurrences(of: #"name="_csrf" value="[A-Za-z0-9_-]*""#, with: #"name="_csrf" value="""#, options: .regularExpression)
    }

    @Test("every route answers HTTP/1.1 and HTTP/2 alike, on the workstations' and the pupils' listener")
    func everyRouteAnswersAlike() async throws {
        let (routes, pools) = try APIContractTests.platform()
        let router = try routes.makeRouter()
        let table = RouteTable(router).routes
        let harness = try await GatewayHarness.start(router: router)
        var compared = 0
        var differences: [String] = []
        for route in table where route.method.rawValue != "HEAD" {
            for (listener, client) in [("workstations", TestPKI.Client.school), ("pupils", nil)] {
                let one = try await Self.ask(harness, listener, client, "--http1.1", route)
                let two = try await Self.ask(harness, listener, client, "--http2", route)
                if one.version != "1.1" || two.version != "2" || one.status != two.status || one.body != two.body {
                    differences.append("\(listener) \(route): \(one) | \(two)")
                }
                compared += 1
            }
        }
        await harness.stop()
        for pool in pools { await pool.shutdown() }
        #expect(compared > 150, "the route table was not read")
        #expect(differences == [])
    }
}
