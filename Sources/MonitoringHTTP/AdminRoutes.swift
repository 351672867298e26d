public import Gateway
public import Hummingbird
import HTTPTypes
public import Identity
public import Monitoring
import NIOCore

/// The admin listener's routes, and nothing else is served there:
///
/// - `GET /healthz`: `200 {"status":"ok"}` while the process answers (as on every listener);
/// - `GET /readyz`: `200 {"status":"ready"}` when the database answers, the vault is unsealed and the
///   audit log is writable; otherwise `503 {"status":"not-ready","failed":["vault"]}` naming the
///   checks that failed (``Readiness/Check``), nothing more;
/// - `GET /metrics`: the Prometheus exposition of ``GatewayMetrics``, after the readings refreshed.
///
/// Every route answers only a connection whose verified client certificate is the monitoring
/// service's (``monitoringPrincipal``); the listener requires a certificate of the platform CA, so a
/// client without one never completes the handshake (`no-certificate`), and any other certificate
/// (a school's workstation, a module's service) is answered `403 monitoring-certificate-required`.
public enum AdminRoutes {
    /// The only principal the admin listener serves: `bilet://service/monitoring`.
    public static let monitoringPrincipal = Principal.service(ServiceName("monitoring")!)

    /// What the routes need.
    public struct Dependencies: Sendable {
        let metrics: GatewayMetrics
        let readings: [any ScrapeReading]
        let readiness: Readiness

        public init(metrics: GatewayMetrics, readings: [any ScrapeReading], readiness: Readiness) {
            self.metrics = metrics
            self.readings = readings
            self.readiness = readiness
        }
    }

    /// A router with the admin routes only, behind ``MonitoringCertificateMiddleware``.
    public static func makeRouter(_ dependencies: Dependencies) -> Router<BiletRequestContext> {
        let router = Router(context: BiletRequestContext.self)
        router.add(middleware: MonitoringCertificateMiddleware(allowed: monitoringPrincipal))
        router.get("/healthz") { _, _ -> Response in
            Self.json(.ok, #"{"status":"ok"}"#)
        }
        router.get("/readyz") { _, _ -> Response in
            let failed = await dependencies.readiness.failed()
            guard failed.isEmpty else {
                let names = failed.sorted().map { "\"\($0.rawValue)\"" }.joined(separator: ",")
                return Self.json(.serviceUnavailable, #"{"failed":[\#(names)],"status":"not-ready"}"#)
            }
            return Self.json(.ok, #"{"status":"ready"}"#)
        }
        router.get("/metrics") { _, _ -> Response in
            let text = await dependencies.metrics.exposition(after: dependencies.readings)
            return Response(
                status: .ok, headers: [.contentType: GatewayMetrics.mediaType, .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: text)))
        }
        return router
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
