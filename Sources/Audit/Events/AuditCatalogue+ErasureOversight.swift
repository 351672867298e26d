extension AuditCatalogue {
    /// v4 entry of the compliance officer's oversight of erasure (issue 14): reading the vault's
    /// erasure deadlines and destruction register through the vault's door. The vault appends it as
    /// `bilet_vault` (migration 0900 grants exactly this writer).
    static let erasureOversightEntries: [Entry] = [
        Entry(
            type: "erasure_register.read",
            description: "The compliance officer read the vault's erasure deadlines or its destruction register (tokens, field names, reasons, dates, methods; no personal data values).",
            subject: .absent, decision: .required, purpose: .required,
            fields: [
                Field(name: "view", kind: .code, required: true, description: "deadlines or register."),
                Field(name: "result_count", kind: .count, required: true, description: "Number of deadlines or register entries returned."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that permitted it."),
            ],
            writers: ["bilet_vault"]),
    ]
}
