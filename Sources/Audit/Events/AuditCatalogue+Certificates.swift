extension AuditCatalogue {
    /// v4 entries of the security administrator's certificate inventory (issue 14): the CA process
    /// appends them as `bilet_ca` (migration 0930 grants exactly this writer).
    static let certificateInventoryEntries: [Entry] = [
        Entry(
            type: "certificate.listed",
            description: "A security administrator read the CA's certificate inventory. What was asked and how many were shown; never the certificates.",
            subject: .absent, decision: .absent, purpose: .required,
            fields: [
                Field(name: "count", kind: .count, required: true, description: "How many certificates the answer listed."),
                Field(name: "expiring_within_days", kind: .count, required: false, description: "The expiry window asked, in days."),
                Field(name: "state", kind: .code, required: false, description: "The state asked: active, expired or revoked."),
            ],
            writers: ["bilet_ca"]),
    ]
}
