/// `key.rotated`: A key-encryption key was rotated: new data keys are wrapped by the new version.
public struct KeyRotated: TypedAuditEvent {
    public static let type = "key.rotated"

    /// The principal that acted.
    public var actor: String
    /// `key`.
    public var key: String
    /// `from_version`.
    public var fromVersion: Int
    /// `to_version`.
    public var toVersion: Int

    public init(actor: String, key: String, fromVersion: Int, toVersion: Int) {
        self.actor = actor
        self.key = key
        self.fromVersion = fromVersion
        self.toVersion = toVersion
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["key"] = .string(key)
        fields["from_version"] = .integer(Int64(fromVersion))
        fields["to_version"] = .integer(Int64(toVersion))
        return AuditEvent(type: Self.type, actor: actor, fields: fields)
    }
}
