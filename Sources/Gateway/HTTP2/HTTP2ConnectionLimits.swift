import NIOCore
import NIOHTTP2
import TLS

/// The limits of one HTTP/2 connection, derived from its listener's ``ListenerLimits`` (see
/// ``GatewayHTTP2Channel``), plus the rapid-reset bound, which has no HTTP/1.1 counterpart.
struct HTTP2ConnectionLimits: Sendable {
    /// Streams the client may reset within ``resetFrameWindow`` before the connection is ended:
    /// stricter than SwiftNIO's 200, as a page needs far fewer.
    static let maximumResetFrames = 100
    /// The window over which ``maximumResetFrames`` is counted.
    static let resetFrameWindow = TimeAmount.seconds(30)

    /// Open streams allowed at once (`SETTINGS_MAX_CONCURRENT_STREAMS`).
    let maximumConcurrentStreams: Int
    /// The largest header list of a request, in bytes (`SETTINGS_MAX_HEADER_LIST_SIZE`).
    let maximumHeaderListBytes: Int
    /// A connection without an open stream for this long is closed.
    let idleTimeout: TimeAmount
    /// How long a graceful shutdown lets open streams finish after `GOAWAY`.
    let gracefulCloseTimeout: TimeAmount
    /// A client that has not acknowledged the server's SETTINGS this long after the connection
    /// was set up is closed.
    let settingsAcknowledgementTimeout: TimeAmount

    /// The listener's limits as they apply to an HTTP/2 connection.
    init(_ listener: ListenerLimits) {
        self.maximumConcurrentStreams = listener.maximumConcurrentStreams
        self.maximumHeaderListBytes = listener.maximumHeaderBytes
        self.idleTimeout = listener.idleTimeout
        self.gracefulCloseTimeout = listener.shutdownGracePeriod
        self.settingsAcknowledgementTimeout = listener.handshakeTimeout
    }

    /// SwiftNIO's handler configuration for these limits.
    var handlerConfiguration: NIOHTTP2Handler.Configuration {
        var configuration = NIOHTTP2Handler.Configuration()
        configuration.connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: self.maximumConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: self.maximumHeaderListBytes),
        ]
        configuration.stream.streamResetFrameRateLimit.maximumCount = Self.maximumResetFrames
        configuration.stream.streamResetFrameRateLimit.windowLength = Self.resetFrameWindow
        return configuration
    }
}
