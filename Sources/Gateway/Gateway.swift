public import Hummingbird
import HummingbirdCore
public import Logging
import NIOCore
public import ServiceLifecycle
public import TLS

/// The TLS gateway: one Hummingbird HTTP/1.1 server per listener, each behind GnuTLS
/// (``BiletTLSChannel``), sharing one router, one reloadable TLS material store and one registry
/// of authenticated connections; plus the reloader that keeps the material current.
///
/// Graceful shutdown (SIGTERM, SIGINT, or the service group's) stops accepting, lets requests in
/// flight finish, closes idle keep-alive connections with close_notify, and waits at most the
/// listeners' longest ``ListenerLimits/shutdownGracePeriod``.
public struct Gateway: Sendable {
    /// The listeners, in the order given.
    public let listeners: [TLSListener]
    /// The shared TLS material.
    public let material: TLSMaterialStore
    private let responder: GatewayResponder
    private let requestObserver: (any RequestObserver)?
    /// The routes served (for the API contract's test and the start-up log).
    public let routes: RouteTable
    private let reloadPollInterval: Duration
    private let watchesSIGHUP: Bool
    private let logger: Logger

    /// Builds the gateway.
    ///
    /// - Parameters:
    ///   - listeners: each listener's configuration (address, port, client authentication, profile, limits).
    ///   - material: the loaded TLS material; the listeners share it and the registry it enforces revocations in.
    ///   - registry: the registry the material store was made with.
    ///   - router: the routes; ``GatewayRoutes`` adds `/healthz`, `/v1/whoami` and `/v1/openapi.yaml`
    ///     (``makeRouter()`` does it for you). ``GatewayMiddleware`` runs around all of it.
    ///   - reloadPollInterval: how often the material files are checked for changes.
    ///   - watchesSIGHUP: whether SIGHUP reloads the material.
    ///   - refusalObserver: told of every refused client certificate (the audit log's aggregator) and of
    ///     every handshake's outcome (the metrics).
    ///   - requestObserver: makes, from the route table the gateway builds once, what is told of every
    ///     answer with its route path and status, and of every request the listener's limits refuse
    ///     before routing (the metrics).
    /// - Throws: ``TLSMaterialError`` when a listener's profile needs a key pair the material lacks,
    ///   ``TLSSessionError`` when GnuTLS refuses a profile.
    public init(
        listeners: [TLSListenerConfiguration],
        material: TLSMaterialStore,
        registry: ConnectionRegistry,
        router: Router<BiletRequestContext> = Gateway.makeRouter(),
        reloadPollInterval: Duration = .seconds(1),
        watchesSIGHUP: Bool = true,
        refusalObserver: (any HandshakeRefusalObserver)? = nil,
        requestObserver: (@Sendable (RouteTable) -> any RequestObserver)? = nil,
        logger: Logger
    ) throws {
        self.listeners = try listeners.map {
            try TLSListener(configuration: $0, material: material, registry: registry, refusalObserver: refusalObserver, logger: logger)
        }
        self.material = material
        let routes = RouteTable(router)
        let observer = requestObserver.map { $0(routes) }
        self.routes = routes
        self.requestObserver = observer
        self.responder = GatewayResponder(middleware: GatewayMiddleware(routes: routes, observer: observer), router: router.buildResponder())
        self.reloadPollInterval = reloadPollInterval
        self.watchesSIGHUP = watchesSIGHUP
        self.logger = logger
    }

    /// A router with the gateway's own routes; add the platform's routes to it.
    public static func makeRouter() -> Router<BiletRequestContext> {
        let router = Router(context: BiletRequestContext.self)
        GatewayRoutes.add(to: router)
        return router
    }

    /// The services to run: one per listener, and the material reloader.
    ///
    /// - Parameter onListening: called with each listener's name and bound port once it accepts
    ///   connections.
    public func services(onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) -> [any Service] {
        var services = self.listenerServices(onListening: onListening)
        services.append(
            TLSMaterialReloader(
                store: self.material, pollInterval: self.reloadPollInterval, watchesSIGHUP: self.watchesSIGHUP,
                logger: self.logger))
        return services
    }

    /// One service per listener, without the material reloader: for a second gateway (the admin
    /// listener, with a router of its own) over the material another gateway already reloads.
    public func listenerServices(onListening: @escaping @Sendable (String, Int) async -> Void = { _, _ in }) -> [any Service] {
        self.listeners.map { listener in
            let configuration = listener.configuration
            let limits = configuration.limits
            let observer = self.requestObserver
            let http = Self.http1Configuration(limits: limits, observer: observer)
            let server = HTTPServerBuilder { responder in
                // HTTP/1.1: each request in a child task, so an idle connection keeps no request's frames
                let http1 = HTTP1Channel(responder: ChildTaskResponder.wrap(responder), configuration: http)
                // each stream (already a task of its own) is one request
                let streams = GatewayHTTP2Channel(http1: HTTP1Channel(responder: responder), limits: limits) {
                    Self.requestHandlers(limits: limits, framing: .http2Stream, observer: observer)
                }
                return BiletTLSChannel(http1: http1, http2: streams, listener: listener)
            }
            var logger = self.logger
            logger[metadataKey: "tls.listener"] = "\(configuration.name)"
            return Application(
                responder: self.responder,
                server: server,
                configuration: ApplicationConfiguration(
                    address: .hostname(configuration.host, port: configuration.port), serverName: nil,
                    backlog: 1024),
                onServerRunning: { channel in await onListening(configuration.name, channel.localAddress?.port ?? 0) },
                logger: logger)
        }
    }

    /// The handlers below the router, per request: the same over HTTP/1.1 and on each HTTP/2
    /// stream, each with its framing; refusals before routing are told to `observer`.
    static func requestHandlers(
        limits: ListenerLimits, framing: RequestLimitsHandler.Framing, observer: (any RequestObserver)? = nil
    ) -> [any RemovableChannelHandler] {
        [ResponseHeadersHandler(), RequestLimitsHandler(limits: limits, framing: framing, observer: observer)]
    }

    /// An HTTP/1.1 connection's configuration: the request handlers, the idle timeout and the
    /// parser's bounds on the head (also what the HTTP head fuzz target drives, Fuzz/).
    static func http1Configuration(limits: ListenerLimits, observer: (any RequestObserver)? = nil) -> HTTP1Channel.Configuration {
        HTTP1Channel.Configuration(
            additionalChannelHandlers: requestHandlers(limits: limits, framing: .http1, observer: observer),
            idleTimeout: limits.idleTimeout,
            httpDecoderConfiguration: .init(
                maxHeaderFieldSize: limits.maximumHeaderBytes, maxHeaderListSize: limits.maximumHeaderBytes,
                maxHeaderFieldCount: RequestLimitsHandler.maximumHeaderFields))
    }

    /// The longest grace period of the listeners.
    public var shutdownGracePeriod: Duration {
        let longest = self.listeners.map(\.configuration.limits.shutdownGracePeriod).max() ?? .seconds(20)
        return .nanoseconds(longest.nanoseconds)
    }

    /// Runs every service until SIGTERM or SIGINT, then shuts down gracefully.
    public func run() async throws {
        var configuration = ServiceGroupConfiguration(
            services: self.services().map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: self.logger)
        configuration.maximumGracefulShutdownDuration = self.shutdownGracePeriod
        configuration.maximumCancellationDuration = .seconds(5)
        try await ServiceGroup(configuration: configuration).run()
    }
}

/// The router's responder with ``GatewayMiddleware`` around it, outermost: it sees every request,
/// those no route serves included, and every answer.
struct GatewayResponder: HTTPResponder {
    let middleware: GatewayMiddleware
    let router: RouterResponder<BiletRequestContext>

    func respond(to request: Request, context: BiletRequestContext) async throws -> Response {
        try await middleware.handle(request, context: context) { request, context in
            try await router.respond(to: request, context: context)
        }
    }
}
