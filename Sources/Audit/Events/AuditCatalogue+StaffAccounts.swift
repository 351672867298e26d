extension AuditCatalogue {
    /// v4 entries of the staff and pupil accounts managed over HTTP (activation codes, disable/enable, staff consent). Each entry sets its
    /// Entry/writers (the database roles that append it; a migration grants exactly these in
    /// `audit.writer_kinds`).
    ///
    /// Account creation, activation codes, activation, disabling and re-enabling are
    /// `account.changed` records (its `change` code: `created`, `activation_issued`, `activated`,
    /// `disabled`, `enabled`); pupils' sign-ins are `auth.failed` / `auth.succeeded` with method
    /// `pupil_password`.
    static let staffAccountEntries: [Entry] = [
        Entry(
            type: "staff.consent_recorded",
            description: "A staff member recorded their electronic consent to the processing of their own personal data.",
            subject: .absent, decision: .absent, purpose: .absent,
            fields: [
                Field(name: "account", kind: .identifier, required: true, description: "The account (user:usr_…)."),
                Field(name: "version", kind: .code, required: true, description: "Version of the consent text agreed to."),
            ],
            writers: ["bilet_accounts"]),
    ]

    /// Roles that also write a v3 type from v4 on, for the same area (granted by the same migration).
    /// The gateway's `bilet_accounts` administers staff accounts over HTTP (pending accounts only,
    /// migration 0621) and pupils' accounts, so it writes `account.changed` again, and
    /// `policy.decided` for the refusals of the staff routes.
    static let staffAccountExtraWriters: [String: [String]] = [
        "account.changed": ["bilet_accounts"], "policy.decided": ["bilet_accounts"],
    ]
}
