/// A typed audit event: one struct per catalogue type (`Events/Kinds/`), with typed fields, that
/// renders the ``AuditEvent`` the log appends.
///
/// Components build these, never an ``AuditEvent`` by hand, so the type's name and its field
/// names are written once, here in the Audit target, and a misspelt field cannot compile.
/// The log still validates the rendered event against the catalogue (kinds of values).
public protocol TypedAuditEvent: Sendable {
    /// The catalogue type (`pii.read`).
    static var type: String { get }
    /// The event to append.
    var event: AuditEvent { get }
}

/// The decision an audit record states.
public enum AuditDecision: String, Sendable, Hashable {
    case permit
    case deny
    case error
}
