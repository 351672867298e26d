/// `assessment.test_changed`: a methodologist uploaded a test version as a draft or published it.
/// Names the test by code and version; a definition holds no personal data.
public struct AssessmentTestChanged: TypedAuditEvent {
    public static let type = "assessment.test_changed"

    /// What happened.
    public enum Change: String, Sendable {
        case uploaded
        case published
    }

    public var actor: String
    /// The test's code.
    public var test: String
    public var version: Int
    public var change: Change
    /// `test_authoring`.
    public var purpose: String
    /// The policy set that permitted it.
    public var policyVersion: String?

    public init(actor: String, test: String, version: Int, change: Change, purpose: String, policyVersion: String?) {
        self.actor = actor
        self.test = test
        self.version = version
        self.change = change
        self.purpose = purpose
        self.policyVersion = policyVersion
    }

    public var event: AuditEvent {
        var values: [String: AuditValue] = [
            "test": .string(test), "version": .integer(Int64(version)), "change": .string(change.rawValue),
        ]
        if let policyVersion { values["policy_version"] = .string(policyVersion) }
        return AuditEvent(type: Self.type, actor: actor, purpose: purpose, fields: values)
    }
}
