import CoreMetrics
public import TLS

/// TLS handshakes per listener: `bilet_tls_handshakes_total{listener, resumed}` for accepted
/// clients and `bilet_tls_refusals_total{listener, reason}` for refusals, the reason a
/// ``ClientCertificateRefusal`` code (`no-certificate`, `revoked` …) or a ``HandshakeFailure``
/// (`protocol-error`, `timed-out`).
///
/// Every counter is made at start for every listener and reason, so the event loop only looks one
/// up (no allocation); and every series exists from the first scrape, at 0.
public final class HandshakeMetrics: HandshakeRefusalObserver, Sendable {
    private struct Listener: Sendable {
        let full: CoreMetrics.Counter
        let resumed: CoreMetrics.Counter
        let refusals: [ClientCertificateRefusal: CoreMetrics.Counter]
        let failures: [HandshakeFailure: CoreMetrics.Counter]
    }

    private let listeners: [String: Listener]

    init(listeners names: [String], factory: any MetricsFactory) {
        var listeners: [String: Listener] = [:]
        for name in names {
            func handshakes(_ resumed: String) -> CoreMetrics.Counter {
                CoreMetrics.Counter(label: "bilet_tls_handshakes_total", dimensions: [("listener", name), ("resumed", resumed)], factory: factory)
            }
            func refusals(_ reason: String) -> CoreMetrics.Counter {
                CoreMetrics.Counter(label: "bilet_tls_refusals_total", dimensions: [("listener", name), ("reason", reason)], factory: factory)
            }
            listeners[name] = Listener(
                full: handshakes("false"), resumed: handshakes("true"),
                refusals: Dictionary(uniqueKeysWithValues: ClientCertificateRefusal.allCases.map { ($0, refusals($0.code)) }),
                failures: Dictionary(uniqueKeysWithValues: HandshakeFailure.allCases.map { ($0, refusals($0.rawValue)) }))
        }
        self.listeners = listeners
    }

    public func handshakeRefused(_ refusal: HandshakeRefusal) {
        self.listeners[refusal.listener]?.refusals[refusal.refusal]?.increment()
    }

    public func handshakeCompleted(listener: String, resumed: Bool) {
        guard let counters = self.listeners[listener] else { return }
        (resumed ? counters.resumed : counters.full).increment()
    }

    public func handshakeFailed(listener: String, failure: HandshakeFailure) {
        self.listeners[listener]?.failures[failure]?.increment()
    }
}
