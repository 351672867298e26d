import Foundation
import LocalSocket
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
        do {
            return try await LocalSocketClient.call(
                request, expecting: VaultControlResponse.self, socketPath: socketPath, timeout: .seconds(120), group: group)
        } catch where error.code == .unreachable {
            throw VaultError(.controlSocket, reason: "nothing answers on the vault control socket (is `bilet serve` running?)")
        } catch {
            throw VaultError(.controlSocket, reason: "the vault control socket gave no valid answer")
        }
    }
}
