extension AuditCatalogue {
    /// v4 entries of the trials module (issue #11, item 2): venues' events and their approval,
    /// enrolments with the waiting list, the mentors' marks, and the relationship facts the vault
    /// records for them. Pupils appear by their trials token (`trl_…`) or, in the vault's records,
    /// their vault token; never a name, a title or feedback text. Each entry sets its writers (the
    /// database roles that append it; migration 0710 grants exactly these in `audit.writer_kinds`).
    static let trialsEntries: [Entry] = [
        Entry(
            type: "trials.event_changed",
            description: "A venue created, edited or submitted an event, named its mentor, or the region's coordinator approved or returned it; or a venue registered a place or a mentor.",
            subject: .absent, decision: .absent, purpose: .required,
            fields: [
                Field(name: "event", kind: .identifier, required: true, description: "The event (event:17); for a place or mentor registered, the place (place:3) or the mentor (user:usr_…)."),
                Field(name: "change", kind: .code, required: true, description: "created, updated, mentor_assigned, submitted, approved, returned, place_registered or mentor_registered."),
                Field(name: "venue", kind: .identifier, required: true, description: "The event's venue (bilet://venue/77-0042)."),
                Field(name: "region", kind: .identifier, required: true, description: "The venue's region (bilet://region/77)."),
                Field(name: "status", kind: .code, required: true, description: "The event's status after the change."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that permitted it."),
            ],
            writers: ["bilet_gateway"]),
        Entry(
            type: "trials.enrolment_changed",
            description: "A navigator enrolled a pupil in an event (seated, or on the waiting list) or cancelled an enrolment; a waiting pupil was promoted to a freed seat.",
            subject: .required, decision: .absent, purpose: .required,
            fields: [
                Field(name: "event", kind: .identifier, required: true, description: "The event (event:17)."),
                Field(name: "change", kind: .code, required: true, description: "enrolled, cancelled or promoted."),
                Field(name: "state", kind: .code, required: true, description: "seated or waiting (for cancelled: the state the enrolment had)."),
                Field(name: "waiting_position", kind: .count, required: false, description: "The place on the waiting list (1 is next)."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that permitted it."),
            ],
            writers: ["bilet_gateway"]),
        Entry(
            type: "trials.attendance_marked",
            description: "The mentor running an event marked a seated pupil's attendance, grade or feedback (the names of the fields written, never the grade or the text).",
            subject: .required, decision: .absent, purpose: .required,
            fields: [
                Field(name: "event", kind: .identifier, required: true, description: "The event (event:17)."),
                Field(name: "fields", kind: .fieldNames, required: true, description: "attended, grade, feedback: the fields written."),
                Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that permitted it."),
            ],
            writers: ["bilet_gateway"]),
        Entry(
            type: "trials.relationship_recorded",
            description: "The vault recorded or expired a relationship fact the mentors' name reads are decided on: a pupil whose trials token it issued for an enrolment (enrolment_pending), a pupil enrolled in an event (enrolled_in), a mentor running it (run_by).",
            subject: .optional, decision: .absent, purpose: .required,
            fields: [
                Field(name: "relation", kind: .code, required: true, description: "enrolment_pending, enrolled_in or run_by."),
                Field(name: "change", kind: .code, required: true, description: "recorded or expired."),
                Field(name: "event", kind: .identifier, required: true, description: "The event (event:17)."),
                Field(name: "user", kind: .identifier, required: false, description: "For run_by: the mentor (user:usr_…)."),
            ],
            writers: ["bilet_vault"]),
    ]

    /// Roles that also write a v3 type from v4 on, for the same area (granted by the same migration).
    static let trialsExtraWriters: [String: [String]] = [:]
}
