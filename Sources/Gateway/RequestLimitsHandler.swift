import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Enforces a listener's request limits below the application:
/// - a request whose `Content-Length` exceeds the body limit is answered `413 body-too-large`
///   (a problem document with the ``SecurityHeaders``, like every other answer) and the connection
///   closed, before any of it reaches a route;
/// - a body that grows past the limit (chunked) closes the connection;
/// - a request whose body is not complete ``ListenerLimits/requestTimeout`` after its head closes
///   the connection (bodies sent slowly).
///
/// Slowly sent headers are the idle timeout's job: no request part is read until the head is
/// complete, so an idle connection and a slow-loris one look the same and are both closed.
final class RequestLimitsHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let maximumBodyBytes: Int
    private let requestTimeout: TimeAmount
    private var bodyBytes = 0
    private var deadline: Scheduled<Void>?
    private var discarding = false

    init(maximumBodyBytes: Int, requestTimeout: TimeAmount) {
        self.maximumBodyBytes = maximumBodyBytes
        self.requestTimeout = requestTimeout
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.discarding else { return }
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            self.bodyBytes = 0
            let length = head.headerFields[.contentLength].flatMap(Int.init)
            if let length, length > self.maximumBodyBytes {
                self.refuseTooLarge(context: context)
                return
            }
            self.deadline?.cancel()
            self.deadline = nil
            // Only a request that announces a body can send it slowly; one without Content-Length
            // or Transfer-Encoding has none (RFC 9112 §6.3), and its end follows its head at once.
            if (length ?? 0) > 0 || head.headerFields[.transferEncoding] != nil {
                self.deadline = context.eventLoop.assumeIsolated().scheduleTask(in: self.requestTimeout) {
                    self.deadline = nil
                    context.close(promise: nil)
                }
            }
        case .body(let chunk):
            self.bodyBytes += chunk.readableBytes
            if self.bodyBytes > self.maximumBodyBytes {
                self.discarding = true
                context.close(promise: nil)
                return
            }
        case .end:
            self.deadline?.cancel()
            self.deadline = nil
        }
        context.fireChannelRead(data)
    }

    /// The body of the `413` answer: ``Problem/bodyTooLarge``, rendered once.
    private static let tooLarge = Problem.bodyTooLarge.json

    private func refuseTooLarge(context: ChannelHandlerContext) {
        self.discarding = true
        var body = context.channel.allocator.buffer(capacity: Self.tooLarge.utf8.count)
        body.writeString(Self.tooLarge)
        var fields: HTTPFields = [
            .connection: "close", .contentType: "application/problem+json", .contentLength: "\(body.readableBytes)",
        ]
        SecurityHeaders.apply(to: &fields)
        context.write(Self.wrapOutboundOut(.head(HTTPResponse(status: .contentTooLarge, headerFields: fields))), promise: nil)
        context.write(Self.wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
