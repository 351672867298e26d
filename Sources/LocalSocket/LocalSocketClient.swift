import Foundation
public import NIOCore
public import NIOPosix

/// The calling side of a ``LocalSocketServer``: one request, one response, one connection.
public enum LocalSocketClient {
    /// Sends `request` to the server on `socketPath` and decodes its answer.
    /// - Throws: ``LocalSocketError/Code/unreachable`` when nothing answers,
    ///   ``LocalSocketError/Code/invalidAnswer`` when the answer is missing, too long or malformed.
    public static func call<Request: Encodable & Sendable, Response: Decodable & Sendable>(
        _ request: Request, expecting: Response.Type = Response.self, socketPath: String,
        maximumResponseBytes: Int = 16 << 20, timeout: TimeAmount = .seconds(10),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(LocalSocketError) -> Response {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group).connect(unixDomainSocketPath: socketPath) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        } catch {
            throw LocalSocketError(.unreachable, "nothing answers on \(socketPath)")
        }
        // A wedged server must not hold the caller (a login, a renewal) for ever.
        let deadline = channel.channel.eventLoop.scheduleTask(in: timeout) { channel.channel.close(promise: nil) }
        defer { deadline.cancel() }
        let line: [UInt8]?
        do {
            line = try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(ByteBuffer(bytes: try LocalSocketLines.encode(request)))
                return try await LocalSocketLines.read(inbound, limit: maximumResponseBytes)
            }
        } catch {
            throw LocalSocketError(.invalidAnswer, "the connection to \(socketPath) failed")
        }
        guard let line, let response = try? JSONDecoder().decode(Response.self, from: Data(line)) else {
            throw LocalSocketError(.invalidAnswer, "no valid answer on \(socketPath)")
        }
        return response
    }

    /// Whether a server answers on `socketPath` now.
    public static func isAnswering(socketPath: String) async -> Bool {
        guard FileManager.default.fileExists(atPath: socketPath) else { return false }
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
