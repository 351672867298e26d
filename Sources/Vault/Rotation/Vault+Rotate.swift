import Audit

extension Vault {
    /// Starts a KEK rotation: a new current KEK version; ``KeyRotationJob`` re-wraps every data key
    /// in the background and retires the old version once nothing uses it. Audited (`key.rotated`)
    /// in the same transaction.
    ///
    /// - Throws: ``VaultError/Code/sealed``, ``VaultError/Code/rotationInProgress``,
    ///   ``VaultError/Code/invalidRequest`` (actor), ``VaultError/Code/auditFailed``, ``VaultError/Code/auditUnavailable``,
    ///   ``VaultError/Code/storage``.
    @discardableResult
    public func rotate(by actor: String) async throws(VaultError) -> VaultStatus.Rotation {
        let ring = try keys()
        try Self.checkActor(actor)
        let started = try await withTransaction { connection in
            let started = try await self.beginRotation(by: actor, on: connection, ring: ring)
            try await self.appendAudit(
                KeyRotated(actor: actor, key: "key:vault-kek", fromVersion: started.from, toVersion: started.to).event,
                on: connection)
            return started
        }
        ring.insert(kek: started.key, version: started.to)
        return VaultStatus.Rotation(
            fromVersion: started.from, toVersion: started.to, totalKeys: started.total, rewrappedKeys: 0,
            remainingKeys: started.total, finished: false)
    }
}
