/// `module.erased`: a pupil's erasure reached one module; the rows of the pupil's pairwise token
/// were deleted from the module's schema and the token unlinked. Counts and item names only.
public struct ModuleErased: TypedAuditEvent {
    public static let type = "module.erased"

    /// The principal that acted (the erasure's actor).
    public var actor: String
    /// The pupil's vault token.
    public var subject: String
    /// `assessment`, `trials` or `recommendations`.
    public var module: String
    /// The items (tables) rows were removed from.
    public var items: [String]
    /// Rows removed in the module, all items together.
    public var removedCount: Int64

    /// Creates the record.
    public init(actor: String, subject: String, module: String, items: [String], removedCount: Int64) {
        self.actor = actor
        self.subject = subject
        self.module = module
        self.items = items
        self.removedCount = removedCount
    }

    public var event: AuditEvent {
        let fields: [String: AuditValue] = [
            "module": .string(module), "items": .list(items), "removed_count": .integer(removedCount),
        ]
        return AuditEvent(type: Self.type, actor: actor, subject: subject, fields: fields)
    }
}
