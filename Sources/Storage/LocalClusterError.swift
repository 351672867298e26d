/// Why a ``LocalCluster`` operation failed. The description names the step and the path, never
/// data; the command's output is kept apart in ``outputForDebugging``.
public struct LocalClusterError: Error, Sendable, CustomStringConvertible {
    /// What failed, as a caller matches on it.
    public enum Code: String, Sendable, Hashable {
        /// No `initdb`/`pg_ctl` in /usr/lib/postgresql/*/bin or on PATH.
        case binariesNotFound
        /// The directory cannot be used (not creatable, a parent not traversable, bad characters).
        case directoryNotUsable
        /// The Unix socket path would exceed the operating system's limit (107 bytes).
        case socketPathTooLong
        /// The unprivileged system user could not be created or looked up.
        case systemUserUnavailable
        /// A PostgreSQL command (initdb, pg_ctl) exited with a failure status.
        case commandFailed
    }

    /// The stable code.
    public let code: Code
    /// A fixed explanation with the step and path involved.
    public let reason: String
    /// The tail of the command's output, for a human debugging the cluster.
    public let outputForDebugging: String?

    init(_ code: Code, _ reason: String, output: String? = nil) {
        self.code = code
        self.reason = reason
        self.outputForDebugging = output
    }

    public var description: String { "local PostgreSQL cluster: \(code.rawValue): \(reason)" }
}
