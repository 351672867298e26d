public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP2
import NIOHTTPTypesHTTP1
public import TLS

/// A Hummingbird child channel that runs TLS (GnuTLS, ``TLSServerHandler``) under HTTP/1.1 or
/// HTTP/2, as the client chose by ALPN (``TLSListener/applicationProtocols``; no ALPN is
/// HTTP/1.1), and serves it only once the client is accepted, inside the scope that gives its
/// request contexts the verified peer. Both protocols reach the same responder, so one route
/// table, one set of handlers and one error rendering serve both.
///
/// Connections refused at accept (over the limit) or at the handshake never reach either
/// protocol's handler. Setting up never fails, so a bad connection cannot stop the listener.
public struct BiletTLSChannel: ServerChildChannel {
    /// A connection: the protocol negotiated and set up, and the handshake's outcome.
    public struct Value: ServerChildChannelValue {
        public let channel: any Channel
        let negotiated: EventLoopFuture<NIONegotiatedHTTPVersion<HTTP1Channel.Value, GatewayHTTP2Channel.Value>>?
        let established: EventLoopFuture<PeerIdentity>?
    }

    private let http1: HTTP1Channel
    private let http2: GatewayHTTP2Channel
    private let listener: TLSListener

    /// Serves `listener`'s connections with `http1` or `http2`.
    public init(http1: HTTP1Channel, http2: GatewayHTTP2Channel, listener: TLSListener) {
        self.http1 = http1
        self.http2 = http2
        self.listener = listener
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let refused = Value(channel: channel, negotiated: nil, established: nil)
        guard let established = self.listener.configure(channel)?.established else {
            return channel.eventLoop.makeSucceededFuture(refused)
        }
        let http1 = self.http1
        let http2 = self.http2
        return channel.configureHTTP2AsyncSecureUpgrade(
            http1ConnectionInitializer: { channel in
                http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
                    // HTTP/1.0 close semantics, where the HTTP/1 version is still visible
                    let operations = channel.pipeline.syncOperations
                    if let codec = try? operations.handler(type: HTTP1ToHTTPServerCodec.self) {
                        try operations.addHandler(ConnectionPersistenceHandler(), position: .before(codec))
                    }
                    return value
                }
            },
            http2ConnectionInitializer: { channel in http2.setup(channel: channel, logger: logger) }
        )
        .map { negotiated in Value(channel: channel, negotiated: negotiated, established: established) }
        .flatMapError { _ in
            channel.close(promise: nil)
            return channel.eventLoop.makeSucceededFuture(refused)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        guard let negotiated = value.negotiated, let established = value.established else { return }
        // A failed handshake closes the channel: the negotiation then fails too, and no protocol
        // was set up, so there is nothing to serve or to finish.
        guard let peer = try? await established.get(), let version = try? await negotiated.get() else { return }
        let connection = GatewayConnection(
            peer: peer, listener: self.listener.configuration.name, limits: self.listener.configuration.limits)
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await ConnectionScope.$current.withValue(connection) {
                switch version {
                case .http1_1(let http1): await self.http1.handle(value: http1, logger: logger)
                case .http2(let http2): await self.http2.handle(value: http2, logger: logger)
                }
            }
        }
    }
}
