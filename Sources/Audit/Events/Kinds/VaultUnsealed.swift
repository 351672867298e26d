/// `vault.unsealed`: The vault was unsealed.
public struct VaultUnsealed: TypedAuditEvent {
    public static let type = "vault.unsealed"

    /// The principal that acted.
    public var actor: String
    /// `method`.
    public var method: String
    /// `kek_count`.
    public var kekCount: Int

    public init(actor: String, method: String, kekCount: Int) {
        self.actor = actor
        self.method = method
        self.kekCount = kekCount
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["method"] = .string(method)
        fields["kek_count"] = .integer(Int64(kekCount))
        return AuditEvent(type: Self.type, actor: actor, fields: fields)
    }
}
