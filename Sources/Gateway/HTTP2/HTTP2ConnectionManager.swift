import Logging
import NIOCore
import NIOHTTP2

/// Keeps one HTTP/2 connection within its time limits and closes it when HTTP/2 says it is over,
/// which SwiftNIO's HTTP/2 handler leaves to the pipeline:
/// - a client that has not acknowledged the server's SETTINGS within the limit is closed: until it
///   does, SwiftNIO applies its own defaults, not the listener's limits (RFC 9113 §6.5.3);
/// - a connection without an open stream for the idle timeout is closed (`GOAWAY NO_ERROR`, then
///   close), counted from the moment it is set up and again whenever its last stream closes;
/// - a graceful shutdown (`ChannelShouldQuiesceEvent`) sends `GOAWAY NO_ERROR`, lets the open
///   streams finish, and closes when they have, or when the grace period ends;
/// - once SwiftNIO has written a `GOAWAY` with an error code (a connection error: a rapid reset's
///   `ENHANCE_YOUR_CALM`, more streams than the SETTINGS allow, a header block over the limit, …),
///   the connection is closed; errors that end one stream (`RST_STREAM`) leave it open;
/// - when the client ends its side (TLS `close_notify`): an HTTP/2 connection is never half open.
///
/// Sits after SwiftNIO's HTTP/2 handler; it is also that handler's stream and frame delegate.
final class HTTP2ConnectionManager: ChannelDuplexHandler, NIOHTTP2FrameDelegate {
    typealias InboundIn = HTTP2Frame
    typealias InboundOut = HTTP2Frame
    typealias OutboundIn = HTTP2Frame
    typealias OutboundOut = HTTP2Frame

    private let limits: HTTP2ConnectionLimits
    private let logger: Logger
    private var context: ChannelHandlerContext?
    private var openStreams = 0
    private var lastStreamID = HTTP2StreamID.rootStream
    private var draining = false
    /// Whether the timers were armed: once, when the channel is both active and this handler added.
    private var started = false
    private var idleTimer: Scheduled<Void>?
    private var settingsTimer: Scheduled<Void>?
    private var graceTimer: Scheduled<Void>?

    init(limits: HTTP2ConnectionLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    /// The stream delegate to give SwiftNIO's handler (Sendable: bound to the connection's loop).
    func streamDelegate(on eventLoop: any EventLoop) -> some NIOHTTP2StreamDelegate {
        StreamDelegate(manager: NIOLoopBound(self, eventLoop: eventLoop))
    }

    private struct StreamDelegate: NIOHTTP2StreamDelegate {
        let manager: NIOLoopBound<HTTP2ConnectionManager>
        func streamCreated(_ id: HTTP2StreamID, channel: any Channel) { self.manager.value.streamCreated(id) }
        func streamClosed(_ id: HTTP2StreamID, channel: any Channel) { self.manager.value.streamClosed() }
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        // added after ALPN, on a channel that is already active
        if context.channel.isActive { self.start() }
    }

    func channelActive(context: ChannelHandlerContext) {
        self.start()
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.cancelTimers()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.cancelTimers()
        context.fireChannelInactive()
    }

    private func start() {
        guard !self.started else { return }
        self.started = true
        self.settingsTimer = self.schedule(in: self.limits.settingsAcknowledgementTimeout) { manager in
            manager.logger.debug("http/2 connection closed: SETTINGS never acknowledged")
            manager.close()
        }
        self.armIdleTimer()
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .settings(.ack) = Self.unwrapInboundIn(data).payload {
            self.settingsTimer?.cancel()
        }
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            self.drain()
        case ChannelEvent.inputClosed:
            self.close()
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Whether the connection survives is decided by the GOAWAY SwiftNIO writes, not here.
        self.logger.debug("http/2 error", metadata: ["error.type": "\(String(reflecting: type(of: error)))"])
    }

    // MARK: Streams

    private func streamCreated(_ id: HTTP2StreamID) {
        self.openStreams += 1
        self.lastStreamID = max(self.lastStreamID, id)
        self.idleTimer?.cancel()
        self.idleTimer = nil
    }

    private func streamClosed() {
        self.openStreams -= 1
        guard self.openStreams == 0 else { return }
        if self.draining {
            self.close()
        } else {
            self.armIdleTimer()
        }
    }

    // MARK: Frames written

    func wroteFrame(_ frame: HTTP2Frame) {
        guard case .goAway(_, let code, _) = frame.payload, code != .noError, let context = self.context else { return }
        self.logger.debug("http/2 connection error; closing", metadata: ["http2.goaway": "\(code)"])
        // called before the frame's bytes are written: close once they are
        context.eventLoop.assumeIsolated().execute { self.close() }
    }

    // MARK: Closing

    private func armIdleTimer() {
        self.idleTimer?.cancel()
        self.idleTimer = self.schedule(in: self.limits.idleTimeout) { manager in
            guard manager.openStreams == 0 else { return }
            manager.drain()
        }
    }

    /// `GOAWAY NO_ERROR` naming the last stream taken, then close when no stream is open.
    private func drain() {
        guard !self.draining, let context = self.context else { return }
        self.draining = true
        let goAway = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: self.lastStreamID, errorCode: .noError, opaqueData: nil))
        context.writeAndFlush(Self.wrapOutboundOut(goAway), promise: nil)
        if self.openStreams == 0 {
            self.close()
        } else {
            self.graceTimer = self.schedule(in: self.limits.gracefulCloseTimeout) { $0.close() }
        }
    }

    private func close() {
        self.cancelTimers()
        self.context?.close(promise: nil)
    }

    private func cancelTimers() {
        for timer in [self.idleTimer, self.settingsTimer, self.graceTimer] { timer?.cancel() }
        self.idleTimer = nil
        self.graceTimer = nil
    }

    private func schedule(in delay: TimeAmount, _ action: @escaping (HTTP2ConnectionManager) -> Void) -> Scheduled<Void>? {
        guard let context = self.context else { return nil }
        return context.eventLoop.assumeIsolated().scheduleTask(in: delay) { action(self) }
    }
}
