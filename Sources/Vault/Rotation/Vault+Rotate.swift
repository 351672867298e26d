extension Vault {
    /// Starts a KEK rotation: a new current KEK version; ``KeyRotationJob`` re-wraps every data key
    /// in the background and retires the old version once nothing uses it.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/rotationInProgress``,
    ///   ``VaultError/Code/storage``.
    @discardableResult
    public func rotate(by actor: String) async throws(VaultError) -> VaultStatus.Rotation {
        let ring = try keys()
        let started = try await withTransaction { connection in
            try await self.beginRotation(by: actor, on: connection, ring: ring)
        }
        ring.insert(kek: started.key, version: started.to)
        return VaultStatus.Rotation(
            fromVersion: started.from, toVersion: started.to, totalKeys: started.total, rewrappedKeys: 0,
            remainingKeys: started.total, finished: false)
    }
}
