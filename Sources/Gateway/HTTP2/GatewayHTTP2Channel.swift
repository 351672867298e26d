public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP2
import NIOHTTPTypesHTTP2
public import TLS

/// An HTTP/2 connection (negotiated by ALPN `h2`) whose streams are served by the same
/// ``HTTP1Channel`` responder, request handlers and stream-level limits as an HTTP/1.1 connection:
/// each stream is one request, decoded into the same request parts.
///
/// The connection's limits, advertised in the server's SETTINGS and enforced by SwiftNIO's HTTP/2
/// handler and ``HTTP2ConnectionManager``:
/// - at most ``ListenerLimits/maximumConcurrentStreams`` open streams (a client that opens more
///   loses the connection: `GOAWAY PROTOCOL_ERROR`);
/// - header lists no larger than the listener's ``ListenerLimits/maximumHeaderBytes``;
/// - at most 100 streams reset by the client per 30 s (the rapid-reset pattern, CVE-2023-44487): the
///   connection is then ended with `GOAWAY ENHANCE_YOUR_CALM`, and no other connection notices;
/// - the SETTINGS acknowledged within the handshake timeout, the idle timeout of the listener,
///   counted while no stream is open, and the grace period of a graceful shutdown (`GOAWAY`, then
///   close).
public struct GatewayHTTP2Channel: ServerChildChannel {
    /// The connection's multiplexer, whose inbound streams are served one task each.
    public struct Value: ServerChildChannelValue {
        let streams: NIOHTTP2Handler.AsyncStreamMultiplexer<HTTP1Channel.Value>
        public let channel: any Channel
    }

    private let http1: HTTP1Channel
    private let limits: HTTP2ConnectionLimits
    private let streamHandlers: @Sendable () -> [any RemovableChannelHandler]

    /// Serves each stream with `http1`'s responder, after `streamHandlers` (made anew per stream),
    /// within the listener's `limits`.
    public init(
        http1: HTTP1Channel, limits: ListenerLimits,
        streamHandlers: @escaping @Sendable () -> [any RemovableChannelHandler]
    ) {
        self.http1 = http1
        self.limits = HTTP2ConnectionLimits(limits)
        self.streamHandlers = streamHandlers
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let streamHandlers = self.streamHandlers
            let manager = HTTP2ConnectionManager(limits: self.limits, logger: logger)
            try channel.pipeline.syncOperations.addHandler(CoalescingFlushHandler())
            let streams = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(
                mode: .server,
                streamDelegate: manager.streamDelegate(on: channel.eventLoop),
                frameDelegate: manager,
                configuration: self.limits.handlerConfiguration
            ) { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTPServerCodec())
                    try stream.pipeline.syncOperations.addHandlers(streamHandlers())
                    return try HTTP1Channel.Value(wrappingChannelSynchronously: stream)
                }
            }
            try channel.pipeline.syncOperations.addHandler(manager)
            return Value(streams: streams, channel: channel)
        }
    }

    public func handle(value: Value, logger: Logger) async {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                for try await stream in value.streams.inbound {
                    group.addTask { await self.http1.handle(value: stream, logger: logger) }
                }
            }
        } catch {
            logger.debug("http/2 connection ended", metadata: ["error": "\(String(reflecting: type(of: error)))"])
        }
    }
}
