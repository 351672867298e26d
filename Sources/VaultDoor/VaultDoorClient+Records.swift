public import LocalSocket

extension VaultDoorClient {
    /// The longest a bulk import may take in the vault before the gateway gives up waiting (the
    /// vault's own work is bounded by its transaction timeout per statement). Five minutes: a
    /// 10,000-row import took over 60 s behind `bilet serve` on a loaded two-core machine, and a
    /// gateway that gives up while the vault goes on to commit answers 503 for an import that was
    /// stored (a retry then finds every row a duplicate).
    public static let importTimeoutSeconds: Int64 = 300

    /// Sends a records request that may run long (a bulk import of up to 10,000 rows), waiting up
    /// to ``importTimeoutSeconds`` instead of the door's usual 10 s, on the pool's connections like
    /// every other call (so it is refused before sending when longer than
    /// ``maximumRequestBytes``, the request the bound is sized for).
    /// - Throws: ``LocalSocketError`` when the request is too long for the door
    ///   (``LocalSocketError/Code/requestTooLarge``), or the vault cannot be reached or answers nonsense.
    public func callLong(_ request: VaultDoorRequest) async throws(LocalSocketError) -> VaultDoorResponse {
        try await pool.call(request, expecting: VaultDoorResponse.self, timeout: .seconds(Self.importTimeoutSeconds))
    }
}
