extension AuditCatalogue {
    /// v4 entries of the consent scans and withdrawals over HTTP, transfers between schools, subject-access requests and bulk import. Each entry sets its
    /// Entry/writers (the database roles that append it; a migration grants exactly these in
    /// `audit.writer_kinds`).
    static let schoolRecordEntries: [Entry] = [
        Entry(
            type: "consent.scan_uploaded",
            description: "The scan of a signed paper consent was attached to the consent through the vault (its type checked from its bytes).",
            subject: .required, decision: .required, purpose: .required,
            fields: [
                Field(name: "consent", kind: .token, required: true, description: "Token of the consent the scan belongs to."),
                Field(name: "format", kind: .code, required: false, description: "pdf, jpeg or png (as checked from the bytes)."),
                Field(name: "sha256", kind: .digest, required: false, description: "SHA-256 of the scan as uploaded."),
                Field(name: "byte_count", kind: .count, required: false, description: "Size of the scan in bytes."),
                Field(name: "reason", kind: .code, required: false, description: "Refusal reason code when the decision is deny."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that decided."),
            ],
            writers: ["bilet_vault"]),
        Entry(
            type: "pupil.transferred",
            description: "A transfer of a pupil to another school was requested or accepted; on acceptance the pupil's school changes and the sending school loses access.",
            subject: .required, decision: .required, purpose: .required,
            fields: [
                Field(name: "operation", kind: .code, required: true, description: "request or accept."),
                Field(name: "transfer", kind: .token, required: false, description: "Reference of the transfer (trf_…)."),
                Field(name: "from_school", kind: .identifier, required: false, description: "The sending school (school:77-1234)."),
                Field(name: "to_school", kind: .identifier, required: false, description: "The receiving school (school:77-5678)."),
                Field(name: "reason", kind: .code, required: false, description: "Refusal reason code when the decision is deny."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that decided."),
            ],
            writers: ["bilet_vault"]),
        Entry(
            type: "pupils.imported",
            description: "A school's bulk import of pupils (CSV) was stored or refused as a whole; each pupil, guardian and consent has its own pii.written and consent.changed record.",
            subject: .absent, decision: .required, purpose: .required,
            fields: [
                Field(name: "school", kind: .identifier, required: true, description: "The importing school (school:77-1234)."),
                Field(name: "row_count", kind: .count, required: true, description: "Rows in the import."),
                Field(name: "imported_count", kind: .count, required: true, description: "Pupils registered (0 when refused)."),
                Field(name: "reason", kind: .code, required: false, description: "Refusal reason code when the decision is deny."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that decided."),
            ],
            writers: ["bilet_vault"]),
    ]

    /// Roles that also write a v3 type from v4 on, for the same area (granted by the same migration).
    static let schoolRecordExtraWriters: [String: [String]] = [:]
}
