extension AuditCatalogue {
    /// v4 entries of assessment (issue #11): methodologists' test versions and navigators'
    /// assignments, appended by the gateway's assessment routes as `bilet_gateway` (the module's
    /// own role never writes the audit log). The pupil's assessment token itself is released and
    /// audited by the vault (`token.resolved`).
    static let assessmentEntries: [Entry] = [
        Entry(
            type: "assessment.test_changed",
            description: "A methodologist uploaded a test version as a draft, or published it (immutable from then on).",
            subject: .absent, decision: .absent, purpose: .required,
            fields: [
                Field(name: "test", kind: .code, required: true, description: "The test's code (career-interests-7)."),
                Field(name: "version", kind: .count, required: true, description: "The version number."),
                Field(name: "change", kind: .code, required: true, description: "uploaded or published."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that permitted it."),
            ],
            writers: ["bilet_gateway"]),
        Entry(
            type: "assessment.assigned",
            description: "A navigator assigned a published test version to a pupil (the subject: the pupil's vault token).",
            subject: .required, decision: .absent, purpose: .required,
            fields: [
                Field(name: "test", kind: .code, required: true, description: "The test's code."),
                Field(name: "version", kind: .count, required: true, description: "The version the assignment pins."),
                Field(name: "assignment", kind: .identifier, required: true, description: "The assignment (urn:uuid:…)."),
            ],
            writers: ["bilet_gateway"]),
    ]

    /// Roles that also write a v3 type from v4 on, for assessment: none (the gateway already
    /// writes `policy.decided`).
    static let assessmentExtraWriters: [String: [String]] = [:]
}
