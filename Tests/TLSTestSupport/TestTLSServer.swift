public import Logging
public import NIOCore
import NIOPosix
import Synchronization
public import TLS

/// A minimal HTTP/1.1 server over a ``TLSListener``, for testing the TLS layer on its own: every
/// request gets `200` with the principal's URI (or `anonymous`), the protocol and the cipher suite
/// in the body. It records how each connection's handshake ended.
public final class TestTLSServer: Sendable {
    /// The bound port on 127.0.0.1.
    public let port: Int
    private let channel: any Channel
    private let results = Mutex<[Result<PeerIdentity, TLSConnectionError>]>([])

    private init(channel: any Channel) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
    }

    /// Starts serving `listener` on 127.0.0.1 and an ephemeral port.
    public static func start(_ listener: TLSListener, group: any EventLoopGroup) async throws -> TestTLSServer {
        let box = Mutex<TestTLSServer?>(nil)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 1024)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let handler = listener.configure(channel) else { return }
                    let server = box.withLock { $0 }
                    handler.established.whenComplete { result in server?.record(result) }
                    try channel.pipeline.syncOperations.addHandler(EchoPrincipalHTTPHandler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let server = TestTLSServer(channel: channel)
        box.withLock { $0 = server }
        return server
    }

    private func record(_ result: Result<PeerIdentity, any Error>) {
        let mapped = result.mapError { ($0 as? TLSConnectionError) ?? .closedDuringHandshake }
        self.results.withLock { $0.append(mapped) }
    }

    /// How every handshake so far ended, in order of ending.
    public var outcomes: [Result<PeerIdentity, TLSConnectionError>] { self.results.withLock { $0 } }

    /// Waits (bounded) until at least `count` handshakes have ended; returns all outcomes.
    public func waitForOutcomes(_ count: Int, timeout: Duration = .seconds(10)) async -> [Result<PeerIdentity, TLSConnectionError>] {
        let deadline = ContinuousClock.now + timeout
        while self.outcomes.count < count && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return self.outcomes
    }

    /// Stops listening and closes the server channel.
    public func stop() async {
        try? await self.channel.close()
    }
}

/// Answers each HTTP/1.1 request (head only, no body) with the connection's principal.
final class EchoPrincipalHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var peer: PeerIdentity?
    private var pending: [UInt8] = []

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let completed = event as? TLSHandshakeCompletedEvent { self.peer = completed.peer }
        if let event = event as? ChannelEvent, event == .inputClosed { context.close(mode: .output, promise: nil) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = Self.unwrapInboundIn(data)
        self.pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        let terminator: [UInt8] = Array("\r\n\r\n".utf8)
        while let end = self.pending.firstRange(of: terminator) {
            let head = String(decoding: self.pending[..<end.lowerBound], as: UTF8.self)
            self.pending.removeSubrange(..<end.upperBound)
            let body =
                "\(self.peer?.principal?.uri ?? "anonymous") \(self.peer?.tls.protocolVersion ?? "-") \(self.peer?.tls.cipherSuite ?? "-") resumed=\(self.peer?.tls.resumed ?? false)\n"
            let close = head.lowercased().contains("connection: close") || head.hasSuffix("HTTP/1.0")
                || head.split(separator: "\r\n").first?.hasSuffix("HTTP/1.0") == true
            var response = context.channel.allocator.buffer(capacity: 256)
            response.writeString(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.utf8.count)\r\n\(close ? "Connection: close\r\n" : "")\r\n\(body)")
            if close {
                context.writeAndFlush(Self.wrapOutboundOut(response)).whenComplete { _ in context.close(promise: nil) }
                return
            } else {
                context.writeAndFlush(Self.wrapOutboundOut(response), promise: nil)
            }
        }
    }
}
