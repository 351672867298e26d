/// A call from a gateway process to the vault process's door (`vault.door_socket`).
///
/// The gateway holds no key of the vault: whatever needs one is asked for here, and the vault
/// answers only processes of the users it allows (peer credentials).
public enum VaultDoorRequest: Codable, Sendable, Hashable {
    /// The keyed hash (HMAC under the vault's audit-hash key) of `value` for the audit field `field`,
    /// so a typed login reaches the audit log only as a hash.
    case auditKeyedHash(value: String, field: String)
}

/// The vault's answer to a ``VaultDoorRequest``.
public enum VaultDoorResponse: Codable, Sendable, Hashable {
    /// The keyed hash, as the audit log records it.
    case keyedHash(String)
    /// Refused, with a stable code (`sealed`, `invalid-request`, `internal`) and nothing else.
    case refused(code: String)
}
