extension AuditCatalogue {
    /// The subject-access request changes, applied to a catalogue's entries: an optional
    /// `request` on `pii.read`, and the `access_request.handled` type.
    /// Used by ``v3``.
    static func withAccessRequests(_ entries: [Entry]) -> [Entry] {
        let request = Field(
            name: "request", kind: .token, required: false,
            description: "Reference of the registered subject-access request a parent_request read answers (sar_…).")
        let changed = entries.map { entry in
            guard entry.type == "pii.read" else { return entry }
            return Entry(
                type: entry.type, description: entry.description, subject: entry.subject, decision: entry.decision,
                purpose: entry.purpose, fields: entry.fields + [request])
        }
        return changed + [
            Entry(
                type: "access_request.handled",
                description: "A pupil's or guardian's subject-access request (152-FZ art. 14) was registered, listed or answered in the vault's register.",
                subject: .required, decision: .required, purpose: .required,
                fields: [
                    Field(name: "operation", kind: .code, required: true, description: "register, list or answer."),
                    Field(
                        name: "request", kind: .token, required: false,
                        description: "Reference of the request registered or answered (sar_…)."),
                    Field(name: "result_count", kind: .count, required: false, description: "Number of requests listed."),
                    Field(name: "reason", kind: .code, required: false, description: "Refusal reason code when the decision is deny."),
                    Field(name: "policy_version", kind: .digest, required: false, description: "SHA-256 of the policy set that decided."),
                ]),
        ]
    }
}
