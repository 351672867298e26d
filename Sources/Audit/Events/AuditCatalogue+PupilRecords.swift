extension AuditCatalogue {
    /// v4 entries of the pupil registration, card reads and corrections, search and the duplicate register. Each entry sets its
    /// Entry/writers (the database roles that append it; a migration grants exactly these in
    /// `audit.writer_kinds`).
    static let pupilRecordEntries: [Entry] = [
        Entry(
            type: "pupil.duplicate_probed",
            description: "A pupil registration matched a registered pupil (SNILS, or surname, first name and birth date): refused when the match is at the registering school, otherwise registered, flagged and sent to the region's coordinator as a duplicate case.",
            subject: .optional, decision: .required, purpose: .required,
            fields: [
                Field(name: "matched_on", kind: .code, required: true, description: "snils or name_birth_date."),
                Field(name: "outcome", kind: .code, required: true, description: "same_school (refused) or other_school (registered and flagged)."),
                Field(name: "case", kind: .token, required: false, description: "Reference of the duplicate case opened (dup_…)."),
            ],
            writers: ["bilet_vault"]),
        Entry(
            type: "duplicate.handled",
            description: "A regional coordinator listed or resolved cases of the duplicate register (schools and case references only, never names).",
            subject: .absent, decision: .required, purpose: .required,
            fields: [
                Field(name: "operation", kind: .code, required: true, description: "list or resolve."),
                Field(name: "case", kind: .token, required: false, description: "Reference of the case resolved (dup_…)."),
                Field(name: "resolution", kind: .code, required: false, description: "same or different, for a resolve."),
                Field(name: "result_count", kind: .count, required: false, description: "Number of cases listed."),
                Field(name: "reason", kind: .code, required: false, description: "Refusal reason code when the decision is deny."),
            ],
            writers: ["bilet_vault"]),
    ]

    /// Roles that also write a v3 type from v4 on, for the same area (granted by the same migration).
    static let pupilRecordExtraWriters: [String: [String]] = [:]
}
