import CoreMetrics
import Foundation
import GnuTLS
public import TLS

/// The TLS material the gateway serves with, read at scrape time:
///
/// - `bilet_certificate_expiry_seconds{certificate, name}`: seconds until each server certificate
///   (`certificate="server"`, `name` its key algorithm) and each CA certificate of the client CA
///   bundle (`certificate="ca"`, `name` the CA's distinguished name) expires; negative once expired;
/// - `bilet_crl_age_seconds{issuer}`: seconds since each CRL in force was issued (its thisUpdate),
///   and `bilet_crl_next_update_seconds{issuer}`: seconds until its nextUpdate, after which the
///   gateway refuses that CA's clients (`crl-expired`).
public struct TLSMaterialReading: ScrapeReading {
    let store: TLSMaterialStore
    let now: @Sendable () -> Int
    private let expiry: MetricFamily<CoreMetrics.Gauge>
    private let crlAge: MetricFamily<CoreMetrics.Gauge>
    private let crlNextUpdate: MetricFamily<CoreMetrics.Gauge>

    /// A reading of `store`'s current material into `metrics`.
    public init(store: TLSMaterialStore, metrics: GatewayMetrics) {
        self.store = store
        self.now = { Int(Date().timeIntervalSince1970) }
        self.expiry = MetricFamily(gauge: "bilet_certificate_expiry_seconds", labels: ["certificate", "name"], factory: metrics.factory)
        self.crlAge = MetricFamily(gauge: "bilet_crl_age_seconds", labels: ["issuer"], factory: metrics.factory)
        self.crlNextUpdate = MetricFamily(gauge: "bilet_crl_next_update_seconds", labels: ["issuer"], factory: metrics.factory)
    }

    public func refresh() async {
        let material = store.current
        let now = self.now()
        for leaf in material.credentials.leafCertificates {
            expiry["server", leaf.publicKeyAlgorithmName].record(Double(leaf.notAfter - now))
        }
        var names: [[UInt8]: String] = [:]
        for (issuer, list) in material.revocations.listsInForce {
            names[issuer] = list.version.issuerName
            crlAge[list.version.issuerName].record(Double(now - list.version.thisUpdate))
            if let nextUpdate = list.nextUpdate { crlNextUpdate[list.version.issuerName].record(Double(nextUpdate - now)) }
        }
        for (index, authority) in material.trustStore.authorities.enumerated() {
            expiry["ca", names[authority.rawSubject] ?? "ca-\(index + 1)"].record(Double(authority.notAfter - now))
        }
    }
}
