import GnuTLS
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import TLS

/// The floor under the gateway's keep-alive requests: the same TLS layer (``TLSListener``, the same
/// material and client verification) and SwiftNIO's HTTP/1.1 codec, answered by one channel handler
/// with a fixed body, with none of the gateway's HTTP machinery (Hummingbird's request loop,
/// `NIOAsyncChannel`, a task per connection and per request, the router, middleware and context).
/// Not a server: a reference measured beside the gateway, as nginx and gnutls-serv are, to show how
/// much of a request's cost is that machinery.
enum KeepAliveFloor {
    /// Runs `body` with the floor server listening on a free loopback port.
    static func with(listener: TLSListener, _ body: (Int) async throws -> Void) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                guard listener.configure(channel) != nil else { return channel.eventLoop.makeSucceededVoidFuture() }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(FixedAnswer())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        guard let port = channel.localAddress?.port else { throw BenchError.noPort }
        try await body(port)
    }

    enum BenchError: Error { case noPort }

    /// Answers every request `200` with a body the size of `/v1/whoami`'s, keeping the connection
    /// as the request asks (`ab` sends HTTP/1.0 with `Connection: keep-alive`).
    final class FixedAnswer: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        static let body = String(repeating: "x", count: 300)
        private var request: HTTPRequestHead?

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch Self.unwrapInboundIn(data) {
            case .head(let head): self.request = head
            case .body: break
            case .end: self.answer(context: context)
            }
        }

        private func answer(context: ChannelHandlerContext) {
            guard let request = self.request else { return }
            var buffer = context.channel.allocator.buffer(capacity: Self.body.utf8.count)
            buffer.writeString(Self.body)
            var headers: HTTPHeaders = ["content-type": "application/json", "content-length": "\(buffer.readableBytes)"]
            if request.version == .http1_0 && request.isKeepAlive { headers.add(name: "connection", value: "keep-alive") }
            let head = HTTPResponseHead(version: request.version, status: .ok, headers: headers)
            context.write(Self.wrapOutboundOut(.head(head)), promise: nil)
            context.write(Self.wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            context.writeAndFlush(Self.wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
