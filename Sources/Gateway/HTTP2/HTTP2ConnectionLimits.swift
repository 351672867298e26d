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

    /// Limits; the defaults are those of browsers' usual servers, with a stricter reset count.
    public init(
        maximumConcurrentStreams: Int = 100, maximumHeaderListBytes: Int = 16 * 1024, maximumResetFrames: Int = 100,
        resetFrameWindow: TimeAmount = .seconds(30), idleTimeout: TimeAmount = .seconds(60),
        gracefulCloseTimeout: TimeAmount = .seconds(20)
    ) {
        self.maximumConcurrentStreams = maximumConcurrentStreams
        self.maximumHeaderListBytes = maximumHeaderListBytes
        self.maximumResetFrames = maximumResetFrames
        self.resetFrameWindow = resetFrameWindow
        self.idleTimeout = idleTimeout
        self.gracefulCloseTimeout = gracefulCloseTimeout
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

    /// SwiftNIO's connection management (idle time, graceful close) for these limits.
    var connectionManagement: NIOHTTP2ServerConnectionManagementHandler.Configuration {
        NIOHTTP2ServerConnectionManagementHandler.Configuration(
            maxIdleTime: self.idleTimeout, maxAge: nil, maxGraceTime: self.gracefulCloseTimeout, keepalive: nil)
    }
}
