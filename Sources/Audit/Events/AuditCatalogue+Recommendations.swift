extension AuditCatalogue {
    /// v4 entries of the recommendations module (issue #11, item 3): navigators generating,
    /// editing and publishing a pupil's recommendations, and regions' coordinators uploading
    /// opportunities. Pupils appear by their recommendations token (`rec_…`); never a
    /// recommendation's text or an opportunity's title. Each entry sets its writers (migration
    /// 0731 grants exactly these in `audit.writer_kinds`).
    static let recommendationsEntries: [Entry] = [
        Entry(
            type: "recommendation.changed",
            description: "A navigator generated a pupil's recommendations (replacing the drafts), edited a recommendation's text or published it to the pupil.",
            subject: .required, decision: .absent, purpose: .required,
            fields: [
                Field(name: "change", kind: .code, required: true, description: "generated, edited or published."),
                Field(name: "items", kind: .count, required: true, description: "How many recommendations the change wrote."),
                Field(name: "item", kind: .identifier, required: false, description: "For edited and published: the recommendation (recommendation:17)."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that permitted it."),
            ],
            writers: ["bilet_gateway"]),
        Entry(
            type: "recommendation.opportunity_uploaded",
            description: "A region's coordinator uploaded an opportunity (a programme, a competition, an open day) for the region's pupils.",
            subject: .absent, decision: .absent, purpose: .required,
            fields: [
                Field(name: "opportunity", kind: .identifier, required: true, description: "The opportunity (opportunity:3)."),
                Field(name: "region", kind: .identifier, required: true, description: "The region (bilet://region/77)."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that permitted it."),
            ],
            writers: ["bilet_gateway"]),
    ]

    /// Roles that also write a v3 type from v4 on, for the same area.
    static let recommendationsExtraWriters: [String: [String]] = [:]
}
