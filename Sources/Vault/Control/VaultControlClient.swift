import Foundation
public import NIOCore
public import NIOPosix

/// The client side of the vault control socket, for `bilet vault …` and tests.
public enum VaultControlClient {
    /// Sends one request and waits for its response.
    ///
    /// - Throws: ``VaultError/Code/controlSocket`` when nothing answers on the socket or the answer is
    ///   not a response.
    public static func send(
        _ request: VaultControlRequest, socketPath: String,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws(VaultError) -> VaultControlResponse {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group).connect(unixDomainSocketPath: socketPath) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        } catch {
            throw VaultError(.controlSocket, reason: "nothing answers on the vault control socket (is `bilet serve` running?)")
        }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                var bytes = try JSONEncoder().encode(request)
                bytes.append(UInt8(ascii: "\n"))
                try await outbound.write(ByteBuffer(bytes: bytes))
                var collected: [UInt8] = []
                for try await buffer in inbound {
                    collected += buffer.readableBytesView
                    if collected.last == UInt8(ascii: "\n") { break }
                }
                return try JSONDecoder().decode(VaultControlResponse.self, from: Data(collected))
            }
        } catch {
            throw VaultError(.controlSocket, reason: "the vault control socket gave no valid answer")
        }
    }

    /// Whether a server answers on `socketPath` now.
    static func isAnswering(socketPath: String) async -> Bool {
        guard FileManager.default.fileExists(atPath: socketPath) else { return false }
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: socketPath)
                .get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }
}
