import GnuTLS
public import Logging
public import NIOCore
import Synchronization

/// A listener's TLS side: its configuration, its compiled priorities, its connection count, and
/// the material and registry it shares with the other listeners of the gateway.
///
/// ``configure(_:)`` is called for every accepted channel, on the channel's event loop, before
/// the channel is registered. It refuses connections beyond the listener's maximum, and beyond its
/// maximum per client IP address, at once (a handler closes them as soon as they are active,
/// before any TLS work, so existing connections are not affected), and otherwise adds a
/// ``TLSServerHandler`` bound to the material generation current at that moment.
///
/// Refusal log lines (a refused client certificate, a connection over a limit) go through a
/// ``RefusalLogLimiter``: at most one line per second for each kind, with the number dropped.
public final class TLSListener: Sendable {
    /// What this listener is.
    public let configuration: TLSListenerConfiguration
    /// The ALPN protocols every listener offers, in its order of preference: HTTP/2 for the
    /// clients that ask for it (browsers), HTTP/1.1 for the rest. A client that offers ALPN with
    /// neither is refused with `no_application_protocol`; a client without ALPN gets HTTP/1.1.
    public static let applicationProtocols = ["h2", "http/1.1"]
    /// The TLS material, shared and reloadable.
    public let material: TLSMaterialStore
    /// The live authenticated connections, shared.
    public let registry: ConnectionRegistry
    private let priorities: TLSPriorities
    private let logger: Logger
    private let open = Atomic<Int>(0)
    private let refusedSinceLastLog = Atomic<Int>(0)
    private let perAddress = PerAddressConnectionCounter()
    private let refusalObserver: (any HandshakeRefusalObserver)?

    /// Compiles the profile and checks that the material fits it (a GOST profile needs a GOST
    /// server key pair). Throws ``TLSMaterialError`` with code ``TLSMaterialError/Code/missingKeyPair``
    /// or ``TLSSessionError`` when GnuTLS refuses the priority string.
    /// - Parameter refusalObserver: told of every refused client certificate (for the audit log).
    public init(
        configuration: TLSListenerConfiguration,
        material: TLSMaterialStore,
        registry: ConnectionRegistry,
        refusalObserver: (any HandshakeRefusalObserver)? = nil,
        logger: Logger
    ) throws {
        if configuration.profile.needsGOSTKeyPair && !material.current.hasGOSTKeyPair {
            throw TLSMaterialError(
                .missingKeyPair, role: "server-key-pairs",
                path: material.files.serverKeyPairs.first?.certificateChain ?? "", detail: "the gost profile needs a GOST R 34.10-2012 key pair")
        }
        self.configuration = configuration
        self.material = material
        self.registry = registry
        self.refusalObserver = refusalObserver
        self.priorities = try TLSPriorities(configuration.profile.priorityString)
        var logger = logger
        logger[metadataKey: "tls.listener"] = "\(configuration.name)"
        logger.handler = RefusalLogLimiter(wrapping: logger.handler)
        self.logger = logger
    }

    /// Connections open on this listener (including those still handshaking).
    public var openConnectionCount: Int { self.open.load(ordering: .relaxed) }

    /// Connections refused since the start because their address had
    /// ``ListenerLimits/maximumConnectionsPerAddress`` open already.
    public var refusedForAddressCount: Int { self.perAddress.refused }

    /// Connections open on this listener from `address` (an IP address in text form).
    public func openConnectionCount(from address: String) -> Int { self.perAddress.openConnections(from: address) }

    /// Sets up TLS on a newly accepted channel; returns `nil` when the connection is refused
    /// (over the limit, or the session could not be created) and will be closed when active.
    /// Never throws, so one bad connection cannot disturb the listener.
    public func configure(_ channel: any Channel) -> TLSServerHandler? {
        let count = self.open.wrappingAdd(1, ordering: .relaxed).newValue
        channel.closeFuture.whenComplete { _ in self.open.wrappingSubtract(1, ordering: .relaxed) }
        guard count <= self.configuration.limits.maximumConnections else {
            self.noteRefusedOverLimit()
            try? channel.pipeline.syncOperations.addHandler(CloseOnActiveHandler())
            return nil
        }
        // A connection without a peer IP address (never for TCP) is refused: fail closed.
        guard let address = channel.remoteAddress?.ipAddress,
              self.perAddress.admit(address, limit: self.configuration.limits.maximumConnectionsPerAddress)
        else {
            self.logger.warning(
                "connection refused: client address at its connection limit",
                metadata: [
                    RefusalLogLimiter.refusalKey: "address-connection-limit",
                    "tls.limit": "\(self.configuration.limits.maximumConnectionsPerAddress)",
                    "tls.refused.total": "\(self.perAddress.refused)",
                ])
            try? channel.pipeline.syncOperations.addHandler(CloseOnActiveHandler())
            return nil
        }
        channel.closeFuture.whenComplete { _ in self.perAddress.release(address) }
        let material = self.material.current
        let verification = HandshakeVerification(
            material: material, authentication: self.configuration.clientAuthentication)
        do {
            let session = try TLSServerSession(
                configuration: TLSServerSessionConfiguration(
                    credentials: material.credentials,
                    priorities: self.priorities,
                    clientCertificate: self.configuration.clientAuthentication.request,
                    ticketKey: material.ticketKey,
                    ticketLifetimeSeconds: self.configuration.limits.ticketLifetimeSeconds,
                    applicationProtocols: Self.applicationProtocols),
                verifier: { [verification] chain in verification.evaluate(chain) })
            let handler = TLSServerHandler(
                session: session, verification: verification, registry: self.registry,
                handshakeTimeout: self.configuration.limits.handshakeTimeout, eventLoop: channel.eventLoop,
                logger: self.logger, refusalObserver: self.refusalObserver, listenerName: self.configuration.name)
            try channel.pipeline.syncOperations.addHandler(handler)
            return handler
        } catch {
            self.logger.error("tls session could not be created", metadata: ["error": "\(error)"])
            try? channel.pipeline.syncOperations.addHandler(CloseOnActiveHandler())
            return nil
        }
    }

    private func noteRefusedOverLimit() {
        // One log line per 100 refusals: a flood must not become a log flood.
        let refused = self.refusedSinceLastLog.wrappingAdd(1, ordering: .relaxed).newValue
        if refused % 100 == 1 {
            self.logger.warning(
                "connection refused: listener at its connection limit",
                metadata: ["tls.limit": "\(self.configuration.limits.maximumConnections)", "tls.refused.total": "\(refused)"])
        }
    }
}

/// Closes a connection as soon as it is active; used for connections refused at accept.
final class CloseOnActiveHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { context.close(promise: nil) }
    }

    func channelActive(context: ChannelHandlerContext) {
        context.close(promise: nil)
    }
}
