import Prometheus
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
        let full: Counter
        let resumed: Counter
        let refusals: [ClientCertificateRefusal: Counter]
        let failures: [HandshakeFailure: Counter]
    }

    private let listeners: [String: Listener]

    init(listeners names: [String], registry: PrometheusCollectorRegistry) {
        var listeners: [String: Listener] = [:]
        for name in names {
            func handshakes(_ resumed: String) -> Counter {
                registry.counter(.tlsHandshakes, [("listener", name), ("resumed", resumed)])
            }
            func refusals(_ reason: String) -> Counter {
                registry.counter(.tlsRefusals, [("listener", name), ("reason", reason)])
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
