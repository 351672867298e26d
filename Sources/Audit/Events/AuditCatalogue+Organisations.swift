extension AuditCatalogue {
    /// v4 entries of the organisation registry (organisations, profiles, data-processing agreements). Each entry sets its
    /// Entry/writers (the database roles that append it; a migration grants exactly these in
    /// `audit.writer_kinds`).
    static let organisationEntries: [Entry] = [
        Entry(
            type: "organisation.changed",
            description: "An organisation (region, school, venue) was registered with its data-processing agreement, or its profile was updated.",
            subject: .absent, decision: .absent, purpose: .absent,
            fields: [
                Field(name: "organisation", kind: .identifier, required: true, description: "The organisation (bilet://school/77-1234)."),
                Field(name: "change", kind: .code, required: true, description: "registered or profile_updated."),
                Field(name: "kind", kind: .code, required: true, description: "operator, region, school or venue."),
                Field(name: "region", kind: .identifier, required: false, description: "The region it belongs to (bilet://region/77)."),
                Field(name: "fields", kind: .fieldNames, required: false, description: "Names of the profile fields written (never their values)."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that permitted it."),
            ],
            writers: ["bilet_organisations"]),
    ]

    /// Roles that also write a v3 type from v4 on, for the same area (granted by the same migration).
    /// The registry audits the policy denials it answers (`policy.decided`, decision `deny`).
    static let organisationExtraWriters: [String: [String]] = ["policy.decided": ["bilet_organisations"]]
}
