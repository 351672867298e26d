public import Gateway
public import Prometheus

/// The gateway process's metrics, in one Prometheus registry that the admin listener's `/metrics`
/// exposes: nothing global (no `MetricsSystem.bootstrap`), every instrument made through this
/// value's registry, each metric with its `# HELP` text (``MetricDescriptor``), and passed to
/// whoever counts.
///
/// What this process counts itself: TLS handshakes and refusals (``HandshakeMetrics``), requests by
/// route path and status (``RequestMetrics``), calls to the vault's door (``DoorCallMetrics``). What
/// other processes do is read at scrape time from what they leave behind (``ScrapeReading``): the
/// audit log in the database (``AuditLogReading``) and the TLS material (``TLSMaterialReading``).
/// Metric names and labels never carry personal data: route paths are patterns
/// (`/v1/pupils/{token}`), never the path a request asked for.
public final class GatewayMetrics: Sendable {
    /// The registry the exposition is written from.
    public let registry: PrometheusCollectorRegistry
    /// TLS handshakes and refusals per listener.
    public let handshakes: HandshakeMetrics
    /// Calls to the vault's door.
    public let doorCalls: DoorCallMetrics

    /// Metrics for a gateway with listeners named `listeners`.
    public init(listeners: [String]) {
        let registry = PrometheusCollectorRegistry()
        self.registry = registry
        self.handshakes = HandshakeMetrics(listeners: listeners, registry: registry)
        self.doorCalls = DoorCallMetrics(registry: registry)
    }

    /// The request counters of a router serving `routes` (one per gateway: each has its route table).
    public func requests(_ routes: RouteTable) -> RequestMetrics {
        RequestMetrics(routes: routes, registry: self.registry)
    }

    /// ``requests(_:)`` as a `Gateway` takes it: the gateway builds its route table once and makes
    /// its request counters from that table.
    public var requestCounting: @Sendable (RouteTable) -> any RequestObserver {
        { [self] routes in self.requests(routes) }
    }

    /// The Prometheus text exposition (format 0.0.4), after every reading in `readings` refreshed its gauges.
    public func exposition(after readings: [any ScrapeReading]) async -> [UInt8] {
        for reading in readings { await reading.refresh() }
        return self.registry.emitToBuffer()
    }

    /// The media type of ``exposition(after:)``.
    public static let mediaType = "text/plain; version=0.0.4; charset=utf-8"
}

/// Gauges refreshed when `/metrics` is asked for, from what another process leaves behind (the
/// database, the TLS material files), rather than counted as things happen.
public protocol ScrapeReading: Sendable {
    /// Reads the current values into the gauges; a reading that fails sets its own failure gauge
    /// and never throws.
    func refresh() async
}
