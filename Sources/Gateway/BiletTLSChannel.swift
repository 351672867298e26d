public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTPTypesHTTP1
public import TLS

/// A Hummingbird child channel that runs TLS (GnuTLS, ``TLSServerHandler``) under another child
/// channel (HTTP/1.1), and serves the inner channel only once the client is accepted, inside the
/// scope that gives its request contexts the verified peer.
///
/// Connections refused at accept (over the limit) or at the handshake never reach the inner
/// channel's handler. Setting up never fails, so a bad connection cannot stop the listener.
public struct BiletTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    /// A connection: the inner channel's value, and the handshake's outcome.
    public struct Value: ServerChildChannelValue {
        public let channel: any Channel
        let base: Base.Value?
        let established: EventLoopFuture<PeerIdentity>?
    }

    private let base: Base
    private let listener: TLSListener

    /// Wraps `base` with the TLS side of `listener`.
    public init(_ base: Base, listener: TLSListener) {
        self.base = base
        self.listener = listener
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let established = self.listener.configure(channel)?.established
        guard let established else {
            return channel.eventLoop.makeSucceededFuture(Value(channel: channel, base: nil, established: nil))
        }
        return self.base.setup(channel: channel, logger: logger)
            .flatMapThrowing { base in
                // HTTP/1.0 close semantics, where the HTTP/1 version is still visible
                let operations = channel.pipeline.syncOperations
                if let codec = try? operations.handler(type: HTTP1ToHTTPServerCodec.self) {
                    try operations.addHandler(ConnectionPersistenceHandler(), position: .before(codec))
                }
                return Value(channel: channel, base: base, established: established)
            }
            .flatMapError { _ in
                channel.close(promise: nil)
                return channel.eventLoop.makeSucceededFuture(Value(channel: channel, base: nil, established: nil))
            }
    }

    public func handle(value: Value, logger: Logger) async {
        guard let base = value.base, let established = value.established else { return }
        guard let peer = try? await established.get() else {
            // The handshake failed and the channel is closed; the TLS handler never passes a byte
            // up, so no request can be served. Let the inner channel end its own way (its async
            // writer must be finished), without a connection scope.
            await self.base.handle(value: base, logger: logger)
            return
        }
        let connection = GatewayConnection(
            peer: peer, listener: self.listener.configuration.name, limits: self.listener.configuration.limits)
        await withTaskExecutorPreference(EventLoopTaskExecutor(value.channel.eventLoop)) {
            await ConnectionScope.$current.withValue(connection) {
                await self.base.handle(value: base, logger: logger)
            }
        }
    }
}
