public import NIOCore
import NIOHTTP2

/// The limits of one HTTP/2 connection on a listener (see ``GatewayHTTP2Channel``).
public struct HTTP2ConnectionLimits: Sendable {
    /// Open streams allowed at once (`SETTINGS_MAX_CONCURRENT_STREAMS`).
    public var maximumConcurrentStreams: Int
    /// The largest header list of a request, in bytes (`SETTINGS_MAX_HEADER_LIST_SIZE`).
    public var maximumHeaderListBytes: Int
    /// Streams the client may reset within ``resetFrameWindow`` before the connection is ended.
    public var maximumResetFrames: Int
    /// The window over which ``maximumResetFrames`` is counted.
    public var resetFrameWindow: TimeAmount
    /// A connection without an open stream for this long is closed.
    public var idleTimeout: TimeAmount
    /// How long a graceful shutdown lets open streams finish after `GOAWAY`.
    public var gracefulCloseTimeout: TimeAmount
    /// A client that has not acknowledged the server's SETTINGS this long after the connection
    /// was set up is closed (the listener's handshake timeout).
    public var settingsAcknowledgementTimeout: TimeAmount

    /// Limits; the defaults are stricter than those of browsers' usual servers (128 streams, 200
    /// resets): a page needs far fewer, and each open stream may hold a request's work.
    public init(
        maximumConcurrentStreams: Int = 32, maximumHeaderListBytes: Int = 16 * 1024, maximumResetFrames: Int = 100,
        resetFrameWindow: TimeAmount = .seconds(30), idleTimeout: TimeAmount = .seconds(60),
        gracefulCloseTimeout: TimeAmount = .seconds(20), settingsAcknowledgementTimeout: TimeAmount = .seconds(10)
    ) {
        self.maximumConcurrentStreams = maximumConcurrentStreams
        self.maximumHeaderListBytes = maximumHeaderListBytes
        self.maximumResetFrames = maximumResetFrames
        self.resetFrameWindow = resetFrameWindow
        self.idleTimeout = idleTimeout
        self.gracefulCloseTimeout = gracefulCloseTimeout
        self.settingsAcknowledgementTimeout = settingsAcknowledgementTimeout
    }

    /// SwiftNIO's handler configuration for these limits.
    var handlerConfiguration: NIOHTTP2Handler.Configuration {
        var configuration = NIOHTTP2Handler.Configuration()
        configuration.connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: self.maximumConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: self.maximumHeaderListBytes),
        ]
        configuration.stream.streamResetFrameRateLimit.maximumCount = self.maximumResetFrames
        configuration.stream.streamResetFrameRateLimit.windowLength = self.resetFrameWindow
        return configuration
    }

}
