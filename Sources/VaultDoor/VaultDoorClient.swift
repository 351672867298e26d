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

    /// The audit keyed hash of `value` for `field`; `nil` while the vault is sealed or unreachable
    /// (the caller then refuses what it was about to audit: fail closed).
    public func auditKeyedHash(_ value: String, field: String) async -> String? {
        guard case .keyedHash(let hash) = try? await call(.auditKeyedHash(value: value, field: field)) else { return nil }
        return hash
    }
}
