public import LocalSocket

/// The gateway's handle on the vault process's door.
public struct VaultDoorClient: Sendable {
    /// The vault's door socket.
    public let socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    /// Sends `request` and returns the vault's answer.
    /// - Throws: ``LocalSocketError`` when the vault cannot be reached or answers nonsense.
    public func call(_ request: VaultDoorRequest) async throws(LocalSocketError) -> VaultDoorResponse {
        try await LocalSocketClient.call(request, expecting: VaultDoorResponse.self, socketPath: socketPath)
    }

    /// The audit keyed hash of a typed staff login; `nil` while the vault is sealed or unreachable
    /// (the caller then refuses what it was about to audit: fail closed).
    public func attemptedAccountHash(_ login: String) async -> String? {
        guard case .keyedHash(let hash) = try? await call(.attemptedAccountHash(login: login)) else { return nil }
        return hash
    }
}
