public import LocalSocket

/// The gateway's handle on the vault process's door: a small pool of persistent connections
/// (``LocalSocketPool``), so a call does not pay for a new connection and the server's peer check.
public struct VaultDoorClient: Sendable {
    /// The vault's door socket.
    public var socketPath: String { pool.socketPath }
    let pool: LocalSocketPool
    /// Told of every call's area, outcome and duration (the metrics), if any.
    public var observer: (any DoorCallObserver)?

    /// The longest door request (one JSON line) the vault's door reads: a bulk import of 10,000
    /// checked rows (about 5 MB of JSON) or a consent scan of up to 8 MiB (base64, about 11 MB)
    /// must fit. The client refuses a longer one before sending it
    /// (``LocalSocketError/Code/requestTooLarge``), so no client of the gateway can make it send
    /// the vault a request the door would drop.
    public static let maximumRequestBytes = 16 * 1024 * 1024

    /// A client of the door on `socketPath`, keeping up to `connections` idle connections open and
    /// at most `maximumOpen` open at once (the door serves 256 connections; calls beyond the bound
    /// wait in the gateway for a connection rather than being turned away by the vault).
    public init(socketPath: String, connections: Int = 16, maximumOpen: Int = 64) {
        self.pool = LocalSocketPool(
            socketPath: socketPath, maximumIdle: connections, maximumOpen: maximumOpen, maximumRequestBytes: Self.maximumRequestBytes)
    }

    /// Sends `request` and returns the vault's answer.
    /// - Throws: ``LocalSocketError`` when the request is too long for the door
    ///   (``LocalSocketError/Code/requestTooLarge``), or the vault cannot be reached or answers nonsense.
    public func call(_ request: VaultDoorRequest) async throws(LocalSocketError) -> VaultDoorResponse {
        guard let observer else { return try await pool.call(request, expecting: VaultDoorResponse.self) }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let response = try await pool.call(request, expecting: VaultDoorResponse.self)
            let outcome: DoorCallOutcome = if case .refused = response { .refused } else { .answered }
            observer.doorCalled(request.area, outcome: outcome, duration: clock.now - start)
            return response
        } catch {
            observer.doorCalled(request.area, outcome: .unreachable, duration: clock.now - start)
            throw error
        }
    }

    /// Whether the vault answers and is unsealed (`/readyz`): `nil` when it cannot be reached.
    public func isUnsealed() async -> Bool? {
        guard case .status(let unsealed) = try? await call(.status) else { return nil }
        return unsealed
    }

    /// The audit keyed hash of a typed staff login; `nil` while the vault is sealed or unreachable
    /// (the caller then refuses what it was about to audit: fail closed).
    public func attemptedAccountHash(_ login: String) async -> String? {
        guard case .keyedHash(let hash) = try? await call(.attemptedAccountHash(login: login)) else { return nil }
        return hash
    }
}
