import NIOCore
import NIOHTTP1

/// Gives HTTP/1.0 (and `Connection: close`) requests their HTTP/1.x meaning: the response says
/// `Connection: close` and the connection is closed once it is sent; an HTTP/1.0 request that asks
/// for `Connection: keep-alive` gets it confirmed in the response, as HTTP/1.0 clients require.
///
/// Sits on the HTTP/1 side of the pipeline, where the request's protocol version is still known
/// (Hummingbird's HTTP types drop it), so clients such as `ab` that wait for the server to close
/// after an HTTP/1.0 response are answered properly.
final class ConnectionPersistenceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// For each request still waiting for its response, oldest first: whether it keeps the
    /// connection open, and whether it was HTTP/1.0.
    private var pending: [(keepAlive: Bool, http10: Bool)] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = Self.unwrapInboundIn(data) {
            self.pending.append((head.isKeepAlive, head.version == .http1_0))
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .head(var head) where self.pending.first?.keepAlive == false:
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(Self.wrapOutboundOut(.head(head)), promise: promise)
        case .head(var head) where self.pending.first?.http10 == true:
            head.headers.replaceOrAdd(name: "connection", value: "keep-alive")
            context.write(Self.wrapOutboundOut(.head(head)), promise: promise)
        case .end where !self.pending.isEmpty:
            let persistent = self.pending.removeFirst().keepAlive
            if persistent {
                context.write(data, promise: promise)
            } else {
                let written = promise ?? context.eventLoop.makePromise()
                written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
                context.write(data, promise: written)
            }
        default:
            context.write(data, promise: promise)
        }
    }
}
