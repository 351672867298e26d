import Logging
import NIOCore
import NIOHTTP2

/// Closes an HTTP/2 connection when HTTP/2 says it is over, which SwiftNIO's HTTP/2 handler leaves
/// to the pipeline:
/// - after a connection error, which that handler has answered with `GOAWAY` (a rapid reset's
///   `ENHANCE_YOUR_CALM`, more streams than the SETTINGS allow, a header block over the limit, …);
///   errors that end one stream (answered with `RST_STREAM`) leave the connection open;
/// - when the client ends its side (TLS `close_notify`): an HTTP/2 connection is never half open.
///
/// Without it such a connection stayed open, and counted, until the idle timeout.
final class HTTP2ConnectionEndHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame

    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if Self.endsOneStream(error) {
            return
        }
        self.logger.debug("http/2 connection error; closing", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// Whether SwiftNIO reports `error` for one stream (after sending `RST_STREAM`).
    static func endsOneStream(_ error: any Error) -> Bool {
        error is NIOHTTP2Errors.StreamError || error is NIOHTTP2Errors.BadStreamStateTransition
            || error is NIOHTTP2Errors.TrailersWithoutEndStream
    }
}
