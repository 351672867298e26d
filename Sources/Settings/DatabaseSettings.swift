/// Where bilet keeps its data.
public struct DatabaseSettings: Hashable, Sendable {
    /// A libpq connection string or URI, passed to libpq untouched (it may name several
    /// hosts with `target_session_attrs`). `nil` means: run a private local cluster.
    public var url: String?
    /// Connections per component pool.
    public var poolSize: Int
    /// How long a caller waits for a free connection before failing.
    public var acquireTimeout: Duration
    /// Where the private cluster lives when `url` is `nil`.
    public var localDirectory: String
    /// Each component role's password file (`bilet db migrate` writes them).
    public var credentialsDirectory: String = "var/credentials"

    public init(
        url: String? = nil, poolSize: Int = 10, acquireTimeout: Duration = .seconds(2),
        localDirectory: String = "var/postgres"
    ) {
        self.url = url
        self.poolSize = poolSize
        self.acquireTimeout = acquireTimeout
        self.localDirectory = localDirectory
    }
}
