import CertificateAuthority
import Gateway
import Logging
import Monitoring
import MonitoringHTTP
import ServiceLifecycle
import Settings
import Storage
import TLS

/// The TLS gateway of `bilet serve`, built from `gateway.*`: the TLS material, one listener per
/// entry of `gateway.listeners`, the material reloader and the CRL subscriber that keeps the CRL
/// file current from the CA.
struct GatewayServices {
    let gateway: Gateway
    /// The listeners, the material reloader and the CRL subscriber, in start order.
    let services: [any Service]

    /// Builds the gateway, or `nil` when `gateway.listeners` is not set.
    ///
    /// Each listener's bound address is logged once it accepts connections, and reported to
    /// `progress` as `listener:<name>`.
    /// The CRL subscriber tells `revocationObservers` (staff sessions) of newly revoked certificates.
    /// - Throws: ``TLSMaterialError`` when a material file is missing or invalid (or a GOST listener
    ///   lacks the GOST key pair), ``CertificateAuthorityError`` when the CRL subscriber cannot be made.
    /// With `monitoring`, the admin listener (`gateway.admin_listener`) serves its metrics and
    /// readiness (``AdminRoutes``), and every listener counts into its metrics.
    static func make(
        _ settings: GatewaySettings, routes: PlatformRoutes, database: ComponentDatabase,
        revocationObservers: [any RevocationObserver] = [], refusalObserver: (any HandshakeRefusalObserver)? = nil,
        monitoring: GatewayMonitoring? = nil, progress: StartupProgress, logger: Logger
    ) throws -> GatewayServices? {
        guard settings.isEnabled, let certificate = settings.certificate, let privateKey = settings.privateKey,
            let bundle = settings.clientCABundle
        else { return nil }
        var pairs = [TLSMaterialFiles.KeyPair(certificateChain: certificate, privateKey: privateKey)]
        if let gostCertificate = settings.gostCertificate, let gostKey = settings.gostPrivateKey {
            pairs.append(.init(certificateChain: gostCertificate, privateKey: gostKey))
        }
        let files = TLSMaterialFiles(
            serverKeyPairs: pairs, clientCABundle: bundle, revocationList: settings.revocationList, ticketKey: settings.ticketKey)
        let registry = ConnectionRegistry()
        let material = try TLSMaterialStore(files: files, registry: registry, logger: logger)
        let listeners = settings.listeners.map { Self.configuration($0, perAddress: settings.maximumConnectionsPerAddress) }
        let router = try routes.makeRouter()
        let observers = [refusalObserver, monitoring?.metrics.handshakes].compactMap { $0 }
        let handshakes: (any HandshakeRefusalObserver)? = observers.count > 1 ? HandshakeObservers(observers) : observers.first
        let gateway = try Gateway(
            listeners: listeners, material: material, registry: registry, router: router, refusalObserver: handshakes,
            requestObserver: monitoring?.metrics.requestCounting, logger: logger)

        let byName = Dictionary(uniqueKeysWithValues: (settings.listeners + [settings.adminListener].compactMap { $0 }).map { ($0.name, $0) })
        let onListening: @Sendable (String, Int) async -> Void = { name, port in
            guard let listener = byName[name] else { return }
            let host = listener.host.contains(":") ? "[\(listener.host)]" : listener.host
            logger.notice(
                "gateway listening",
                metadata: [
                    "tls.listener": "\(name)", "address": "\(host):\(port)", "port": "\(port)",
                    "client_auth": "\(listener.authentication.rawValue)", "profile": "\(listener.profile.rawValue)",
                ])
            progress.arrived("listener:\(name)")
        }
        var services = gateway.services(onListening: onListening)
        if let admin = settings.adminListener, let monitoring {
            let adminRouter = AdminRoutes.makeRouter(
                AdminRoutes.Dependencies(
                    metrics: monitoring.metrics,
                    readings: [monitoring.auditLog, TLSMaterialReading(store: material, metrics: monitoring.metrics)],
                    readiness: monitoring.readiness))
            let adminGateway = try Gateway(
                listeners: [Self.configuration(admin, perAddress: settings.maximumConnectionsPerAddress)], material: material,
                registry: registry, router: adminRouter, watchesSIGHUP: false, refusalObserver: handshakes,
                requestObserver: monitoring.metrics.requestCounting, logger: logger)
            services += adminGateway.listenerServices(onListening: onListening)
        }
        services.append(
            try CertificateServices.subscriber(
                database: database, store: material, observers: revocationObservers, logger: logger))
        return GatewayServices(gateway: gateway, services: services)
    }

    /// What ``StartupProgress`` waits for from the gateway.
    static func expectedParts(_ settings: GatewaySettings) -> Set<String> {
        Set((settings.listeners + [settings.adminListener].compactMap { $0 }).map { "listener:\($0.name)" })
    }

    /// The largest request body on a listener that requires client certificates.
    static let maximumWorkstationBodyBytes = 9 * 1024 * 1024

    static func configuration(_ listener: ListenerSetting, perAddress: Int? = nil) -> TLSListenerConfiguration {
        let authentication: ClientAuthentication =
            switch listener.authentication {
            case .required: .required
            case .optional: .optional
            case .none: .none
            }
        let profile: TLSProfile =
            switch listener.profile {
            case .hardened: .hardened
            case .gost: .gost
            }
        var limits = ListenerLimits()
        if let perAddress { limits.maximumConnectionsPerAddress = perAddress }
        // Workstations (client certificate required) upload a school's bulk import (10,000 rows, about
        // 2 MB of CSV) and consent scans (up to 8 MiB); each route still bounds its own body.
        if authentication == .required { limits.maximumBodyBytes = Self.maximumWorkstationBodyBytes }
        return TLSListenerConfiguration(
            name: listener.name, host: listener.host, port: listener.port, clientAuthentication: authentication, profile: profile,
            limits: limits)
    }
}
