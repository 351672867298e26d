import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import TLS

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
/// On an HTTP/2 stream (``Framing/http2Stream``), where closing ends the stream
/// alone:
/// - a head larger than the listener's header limit, or with more than ``maximumHeaderFields``
///   fields, is answered `400 malformed-request`, as HTTP/1.1's parser does: SwiftNIO enforces the
///   size it announces in SETTINGS only once the client acknowledged them (a client may send its
///   first requests before that), and HTTP/2 has no count of its own;
/// - every request must end within ``ListenerLimits/requestTimeout`` of its head: a stream's body
///   needs no `Content-Length`, so any stream the head did not end may be a slow body;
/// - a response the client does not take (its flow-control window stays shut) for the idle timeout
///   ends the stream, so a stalled stream cannot hold its task.
final class RequestLimitsHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ListenerLimits
    private let framing: Framing
    private let observer: (any RequestObserver)?
    private var bodyBytes = 0
    private var deadline: Scheduled<Void>?
    private var writeStall: Scheduled<Void>?
    private var discarding = false
    /// A request's head went on to the router and its answer's end has not been written yet.
    private var requestInFlight = false
    /// The current request's answer has begun (a final head was written).
    private var answerBegun = false

    /// The most header fields a request may carry, over either HTTP version (HTTP/1.1's parser is
    /// configured with it; on an HTTP/2 stream it is checked here).
    static let maximumHeaderFields = 100

    /// Where the handler sits.
    enum Framing {
        /// On an HTTP/1.1 connection: its parser bounds the head; refusals say `Connection: close`.
        case http1
        /// On one HTTP/2 stream: the head is bounded here (counted as RFC 9113 §6.5.2 does: each
        /// field's name and value plus 32 bytes), and a stalled response ends the stream after the
        /// idle timeout.
        case http2Stream
    }

    /// Enforces the listener's `limits` (body, request timeout, head size, idle timeout); tells
    /// `observer` of every request it refuses with an answer, the HTTP/1.1 parser's refusals
    /// included, and of every one it ends without an answer.
    init(limits: ListenerLimits, framing: Framing, observer: (any RequestObserver)? = nil) {
        self.limits = limits
        self.framing = framing
        self.observer = observer
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.deadline?.cancel()
        self.writeStall?.cancel()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .http2Stream = self.framing {
            self.writeStall?.cancel()
            self.writeStall = nil
            if !context.channel.isWritable {
                self.writeStall = context.eventLoop.assumeIsolated().scheduleTask(in: self.limits.idleTimeout) {
                    self.writeStall = nil
                    self.discarding = true
                    self.observer?.endedWithoutAnswer(.answerStalled)
                    context.close(promise: nil)
                }
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.discarding else { return }
        switch Self.unwrapInboundIn(data) {
        case .head(let head):
            self.bodyBytes = 0
            self.requestInFlight = true
            self.answerBegun = false
            if case .http2Stream = self.framing,
                Self.size(of: head) > self.limits.maximumHeaderBytes || head.headerFields.count > Self.maximumHeaderFields
            {
                self.refuse(context: context, method: head.method, status: .badRequest, body: Self.malformed)
                return
            }
            let length = head.headerFields[.contentLength].flatMap(Int.init)
            if let length, length > self.limits.maximumBodyBytes {
                self.refuse(context: context, method: head.method, status: .contentTooLarge, body: Self.tooLarge)
                return
            }
            self.deadline?.cancel()
            self.deadline = nil
            // Over HTTP/1.1 only a request that announces a body can send it slowly; one without
            // Content-Length or Transfer-Encoding has none (RFC 9112 §6.3), and its end follows its
            // head at once. On an HTTP/2 stream any body may come without Content-Length: the
            // deadline is set for every request, and its end (at once, for most) cancels it.
            let mayBeSlow =
                switch self.framing {
                case .http1: (length ?? 0) > 0 || head.headerFields[.transferEncoding] != nil
                case .http2Stream: true
                }
            if mayBeSlow {
                self.deadline = context.eventLoop.assumeIsolated().scheduleTask(in: self.limits.requestTimeout) {
                    self.deadline = nil
                    self.discarding = true
                    if !self.answerBegun { self.observer?.endedWithoutAnswer(.bodyTimedOut) }
                    context.close(promise: nil)
                }
            }
        case .body(let chunk):
            self.bodyBytes += chunk.readableBytes
            if self.bodyBytes > self.limits.maximumBodyBytes {
                self.discarding = true
                if !self.answerBegun { self.observer?.endedWithoutAnswer(.bodyTooLarge) }
                context.close(promise: nil)
                return
            }
        case .end:
            self.deadline?.cancel()
            self.deadline = nil
        }
        context.fireChannelRead(data)
    }

    /// The HTTP/1.1 parser's refusal of a malformed head (or one over the limits) passes here on
    /// its way to the server, which answers it `400` and closes: counted before routing, with no
    /// method, since the head was never read. Not counted here: a parser error while a request is
    /// with a route (a malformed body: the route counts what it answers), and the input ending
    /// inside a request (the client left, or this handler closed the connection), which nobody
    /// answers.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .http1 = self.framing, let parserError = error as? HTTPParserError, parserError != .invalidEOFState,
            !self.discarding, !self.requestInFlight
        {
            self.discarding = true
            self.observer?.refusedBeforeRouting(method: nil, status: .badRequest)
        }
        context.fireErrorCaught(error)
    }

    /// Follows the answer: once its final head is written the request counts as answered (a body
    /// the limits end afterwards is not counted as unanswered); its end closes the request.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch Self.unwrapOutboundIn(data) {
        case .head(let head) where head.status.kind != .informational: self.answerBegun = true
        case .end: self.requestInFlight = false
        case .head, .body: break
        }
        context.write(data, promise: promise)
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

    private func refuse(context: ChannelHandlerContext, method: HTTPRequest.Method, status: HTTPResponse.Status, body text: String) {
        self.discarding = true
        self.observer?.refusedBeforeRouting(method: method, status: status)
        var body = context.channel.allocator.buffer(capacity: text.utf8.count)
        body.writeString(text)
        var fields: HTTPFields = [.contentType: "application/problem+json", .contentLength: "\(body.readableBytes)"]
        if case .http1 = self.framing { fields[.connection] = "close" }
        context.write(Self.wrapOutboundOut(.head(HTTPResponse(status: status, headerFields: fields))), promise: nil)
        context.write(Self.wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(Self.wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
