public import LocalSocket

extension VaultDoorClient {
    /// The longest a bulk import may take in the vault before the gateway gives up waiting (the
    /// vault's own work is bounded by its transaction timeout per statement).
    public static let importTimeoutSeconds: Int64 = 60

    /// Sends a records request that may run long (a bulk import of up to 10,000 rows), waiting up
    /// to ``importTimeoutSeconds`` instead of the door's usual 10 s.
    /// - Throws: ``LocalSocketError`` when the vault cannot be reached or answers nonsense.
    public func callLong(_ request: VaultDoorRequest) async throws(LocalSocketError) -> VaultDoorResponse {
        try await LocalSocketClient.call(
            request, expecting: VaultDoorResponse.self, socketPath: socketPath, timeout: .seconds(Self.importTimeoutSeconds))
    }
}
