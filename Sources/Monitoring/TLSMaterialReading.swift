import Foundation
import GnuTLS
import Prometheus
import Synchronization
public import TLS

/// The TLS material the gateway serves with, read at scrape time:
///
/// - `bilet_certificate_expiry_seconds{certificate, name}`: seconds until each server certificate
///   (`certificate="server"`, `name` its key algorithm) and each CA certificate of the client CA
///   bundle (`certificate="ca"`, `name` the CA's distinguished name) expires; negative once expired;
/// - `bilet_crl_age_seconds{issuer, key_id}`: seconds since each CRL in force was issued (its
///   thisUpdate), and `bilet_crl_next_update_seconds{issuer, key_id}`: seconds until its nextUpdate,
///   after which the gateway refuses that CA's clients (`crl-expired`). One CA name can have a CRL
///   in force per signing key (a key rollover), so `key_id` (the CRL's authority key identifier in
///   hex, `none` when it names none) tells them apart.
///
/// A series whose certificate or CRL is no longer in the material (a CA removed from the bundle on
/// reload) is unregistered, so it leaves the exposition instead of keeping its last value.
public final class TLSMaterialReading: ScrapeReading {
    let store: TLSMaterialStore
    let now: @Sendable () -> Int
    private let registry: PrometheusCollectorRegistry
    /// The label sets recorded by the last refresh, by metric.
    private let recorded = Mutex<[MetricDescriptor: Set<[String]>]>([:])

    /// A reading of `store`'s current material into `metrics`.
    public init(store: TLSMaterialStore, metrics: GatewayMetrics) {
        self.store = store
        self.now = { Int(Date().timeIntervalSince1970) }
        self.registry = metrics.registry
    }

    public func refresh() async {
        let material = store.current
        let now = self.now()
        var values: [MetricDescriptor: [[String]: Double]] = [:]
        for leaf in material.credentials.leafCertificates {
            values[.certificateExpiry, default: [:]][["server", leaf.publicKeyAlgorithmName]] = Double(leaf.notAfter - now)
        }
        var names: [[UInt8]: String] = [:]
        for (issuer, list) in material.revocations.listsInForce {
            names[issuer.name] = list.version.issuerName
            let key = [list.version.issuerName, issuer.keyIdentifier.map(Self.hex) ?? "none"]
            values[.crlAge, default: [:]][key] = Double(now - list.version.thisUpdate)
            if let nextUpdate = list.nextUpdate { values[.crlNextUpdate, default: [:]][key] = Double(nextUpdate - now) }
        }
        for (index, authority) in material.trustStore.authorities.enumerated() {
            values[.certificateExpiry, default: [:]][["ca", names[authority.rawSubject] ?? "ca-\(index + 1)"]] = Double(authority.notAfter - now)
        }
        recorded.withLock { recorded in
            for metric in [MetricDescriptor.certificateExpiry, .crlAge, .crlNextUpdate] {
                let labelNames = metric == .certificateExpiry ? ["certificate", "name"] : ["issuer", "key_id"]
                let current = values[metric] ?? [:]
                for (labels, value) in current {
                    registry.gauge(metric, Array(zip(labelNames, labels))).record(value)
                }
                for stale in (recorded[metric] ?? []).subtracting(current.keys) {
                    registry.unregisterGauge(registry.gauge(metric, Array(zip(labelNames, stale))))
                }
                recorded[metric] = Set(current.keys)
            }
        }
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
