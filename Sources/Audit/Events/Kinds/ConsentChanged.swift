/// `consent.changed`: A consent was granted, amended, withdrawn or expired.
public struct ConsentChanged: TypedAuditEvent {
    public static let type = "consent.changed"

    /// The principal that acted.
    public var actor: String
    /// The data subject's token.
    public var subject: String
    /// `consent`.
    public var consent: String
    /// `change`.
    public var change: String
    /// `purposes`.
    public var purposes: [String]
    /// `given_by`.
    public var givenBy: String

    public init(actor: String, subject: String, consent: String, change: String, purposes: [String], givenBy: String) {
        self.actor = actor
        self.subject = subject
        self.consent = consent
        self.change = change
        self.purposes = purposes
        self.givenBy = givenBy
    }

    public var event: AuditEvent {
        var fields: [String: AuditValue] = [:]
        fields["consent"] = .string(consent)
        fields["change"] = .string(change)
        fields["purposes"] = .list(purposes)
        fields["given_by"] = .string(givenBy)
        return AuditEvent(type: Self.type, actor: actor, subject: subject, fields: fields)
    }
}
