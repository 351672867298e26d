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
///
/// On an HTTP/2 stream it also refuses a head larger than the listener's header limit with
/// `400 malformed-request`, as HTTP/1.1's parser does: SwiftNIO enforces the limit it announces
/// in SETTINGS only once the client acknowledged them, and a client may send its first requests
/// before that.
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

    /// Whether the `413` says `Connection: close` (HTTP/1.1; on an HTTP/2 stream, closing ends
    /// the stream alone, and HTTP/2 forbids the header).
    private let saysConnectionClose: Bool

    /// The largest head counted as HTTP/2 does (RFC 9113 §6.5.2: each field's name and value plus
    /// 32 bytes), or `nil` when the HTTP/1.1 parser already bounds it.
    private let maximumHeadBytes: Int?

    init(maximumBodyBytes: Int, requestTimeout: TimeAmount, saysConnectionClose: Bool = true, maximumHeadBytes: Int? = nil) {
        self.maximumBodyBytes = maximumBodyBytes
        self.requestTimeout = requestTimeout
        self.saysConnectionClose = saysConnectionClose
        self.maximumHeadBytes = maximumHeadBytes
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.deadline?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.discarding else { return }
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            self.bodyBytes = 0
            if let limit = self.maximumHeadBytes, Self.size(of: head) > limit {
                self.refuse(context: context, status: .badRequest, body: Self.malformed)
                return
            }
            let length = head.headerFields[.contentLength].flatMap(Int.init)
            if let length, length > self.maximumBodyBytes {
                self.refuse(context: context, status: .contentTooLarge, body: Self.tooLarge)
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
    /// The body of the `400` answer, as the HTTP/1.1 parser's (``ResponseHeadersHandler``).
    private static let malformed = Problem(status: .badRequest).json

    /// The size of a request head as HTTP/2 counts a header list, pseudo-header fields included.
    static func size(of head: HTTPRequest) -> Int {
        let pseudo = [head.method.rawValue, head.scheme ?? "", head.authority ?? "", head.path ?? ""]
        return zip([7, 7, 10, 5], pseudo).reduce(0) { $0 + $1.0 + $1.1.utf8.count + 32 }
            + head.headerFields.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 32 }
    }

    private func refuse(context: ChannelHandlerContext, status: HTTPResponse.Status, body text: String) {
        self.discarding = true
        var body = context.channel.allocator.buffer(capacity: text.utf8.count)
        body.writeString(text)
        var fields: HTTPFields = [.contentType: "application/problem+json", .contentLength: "\(body.readableBytes)"]
        if self.saysConnectionClose { fields[.connection] = "close" }
        SecurityHeaders.apply(to: &fields)
        context.write(Self.wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(Self.wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
