extension AuditCatalogue {
    /// v4 entries of the modules' door (issue #11): a school's assignment of its navigator teachers
    /// to its pupils, and erasure reaching the modules' schemas. Each entry sets its writers (the
    /// database roles that append it; migration 0690 grants exactly these in `audit.writer_kinds`).
    /// The modules' translations and reads through the door are `token.resolved` and `pii.read`.
    static let modulesDoorEntries: [Entry] = [
        Entry(
            type: "navigator.assignment",
            description: "A school assigned one of its navigator teachers to one of its pupils for the school year, ended an assignment, or listed a pupil's navigators (or was refused).",
            subject: .required, decision: .required, purpose: .required,
            fields: [
                Field(name: "operation", kind: .code, required: true, description: "assign, end or list."),
                Field(name: "navigator", kind: .identifier, required: false, description: "The navigator's account (user:usr_…); absent for list."),
                Field(name: "reason", kind: .code, required: false, description: "Refusal reason code when the decision is deny."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that decided."),
            ],
            writers: ["bilet_vault"]),
        Entry(
            type: "module.erased",
            description: "A pupil's erasure reached one module: the rows of the pupil's pairwise token in the module's schema were deleted and the token unlinked (counts only, no values).",
            subject: .required, decision: .absent, purpose: .absent,
            fields: [
                Field(name: "module", kind: .code, required: true, description: "assessment, trials or recommendations."),
                Field(name: "items", kind: .fieldNames, required: true, description: "The module's items (tables) rows were removed from."),
                Field(name: "removed_count", kind: .count, required: true, description: "Rows removed in the module, all items together."),
            ],
            writers: ["bilet_vault"]),
    ]

    /// Roles that also write a v3 type from v4 on, for the same area (granted by the same migration).
    static let modulesDoorExtraWriters: [String: [String]] = [:]
}
