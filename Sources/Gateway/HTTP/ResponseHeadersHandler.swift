import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// The last word on every answer a listener writes, below the router: the ``SecurityHeaders`` on
/// each response head, and a problem document for the framework's own empty error answers (the
/// HTTP parser's `400` for a malformed request or oversized headers), which no route or middleware
/// sees. Every answer passes here on both HTTP versions (the router's, the framework's own and the
/// listener's limits' refusals from ``RequestLimitsHandler``), so this is the one place that adds the
/// security headers.
final class ResponseHeadersHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The problem body owed after a rewritten head, written before its end.
    private var owedBody: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .head(var head):
            if head.status.code >= 400, head.headerFields[.contentType] == nil, head.headerFields[.contentLength] == "0" {
                let problem = Problem(status: head.status)
                var body = context.channel.allocator.buffer(capacity: 128)
                body.writeString(problem.json)
                head.headerFields[.contentType] = "application/problem+json"
                head.headerFields[.contentLength] = "\(body.readableBytes)"
                self.owedBody = body
            }
            SecurityHeaders.apply(to: &head.headerFields)
            context.write(Self.wrapOutboundOut(.head(head)), promise: promise)
        case .end(let trailers):
            if let body = self.owedBody {
                self.owedBody = nil
                context.write(Self.wrapOutboundOut(.body(body)), promise: nil)
            }
            context.write(Self.wrapOutboundOut(.end(trailers)), promise: promise)
        case .body:
            context.write(data, promise: promise)
        }
    }
}
