/// Where the audit log's checkpoints are signed and written.
public struct AuditSettings: Hashable, Sendable {
    /// The checkpoint signing key file; `nil` means: a development key under the private
    /// cluster's directory, or no sequencer in this process when a database is configured.
    public var signingKey: String?
    /// The log's origin, the first line of every checkpoint.
    public var origin: String
    /// Where checkpoints are also written as files.
    public var checkpointDirectory: String

    public init(signingKey: String? = nil, origin: String = "bilet.local/audit", checkpointDirectory: String = "audit/checkpoints") {
        self.signingKey = signingKey
        self.origin = origin
        self.checkpointDirectory = checkpointDirectory
    }
}
