import NIOCore
import NIOPosix

/// A plain TCP client for feeding a TLS server bytes that are not a proper handshake.
public struct RawTCPClient: Sendable {
    /// What happened after sending.
    public enum Ending: Sendable, Equatable {
        /// The server closed the connection; `received` bytes came before.
        case closedByServer(received: Int)
        /// Still open when the wait ended.
        case stillOpen
    }

    /// Connects, sends `bytes`, optionally half-closes, and waits up to `wait` for the server to close.
    public static func send(
        _ bytes: [UInt8], to port: Int, halfClose: Bool = false, wait: Duration = .seconds(5)
    ) async throws -> Ending {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                        wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            if !bytes.isEmpty { try await outbound.write(ByteBuffer(bytes: bytes)) }
            if halfClose { outbound.finish() }
            return try await withThrowingTaskGroup(of: Ending.self) { group in
                group.addTask {
                    var received = 0
                    do {
                        for try await chunk in inbound { received += chunk.readableBytes }
                    } catch {}
                    return .closedByServer(received: received)
                }
                group.addTask {
                    try await Task.sleep(for: wait)
                    return .stillOpen
                }
                let first = try await group.next()!
                group.cancelAll()
                if first == .stillOpen { channel.channel.close(promise: nil) }
                return first
            }
        }
    }

    /// The first bytes of a TLS 1.2/1.3 ClientHello record announcing 512 bytes of handshake data.
    public static let partialClientHello: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03]
        + [UInt8](repeating: 0x42, count: 32)
}
