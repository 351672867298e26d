extension AuditCatalogue {
    /// v4 entries of the incident register (issue 15, part 6; 152-FZ art. 21 part 3.1). The
    /// gateway appends them as `bilet_gateway` (migration 0860 grants exactly this writer).
    static let incidentEntries: [Entry] = [
        Entry(
            type: "incident.changed",
            description: "A personal-data breach was recorded in the incident register, or its status, description or notices to Roskomnadzor changed. Never the description itself.",
            subject: .absent, decision: .absent, purpose: .required,
            fields: [
                Field(name: "incident", kind: .token, required: true, description: "The incident (inc_…)."),
                Field(name: "change", kind: .code, required: true, description: "recorded or updated."),
                Field(name: "kind", kind: .code, required: true, description: "unauthorised_access, disclosure, loss, alteration or other."),
                Field(name: "status", kind: .code, required: true, description: "open, investigating or closed, after the change."),
                Field(name: "fields", kind: .fieldNames, required: true, description: "Names of the fields written (never their values)."),
                Field(name: "affected_subjects", kind: .count, required: false, description: "When recorded: the data subjects its scope selects in the audit log."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that permitted it."),
            ],
            writers: ["bilet_gateway"]),
    ]
}
