package import ArgumentParser
package import Policy

/// How the commands that read a policy directory (`bilet policy …`, `bilet-bench policy`) load it
/// and report a directory that does not load.
package enum PolicyLoading {
    /// The version hasher the commands use: SHA-256 of the canonical source.
    package static let hasher = SHA256VersionHasher()

    /// Prints diagnostics and returns the exit code for a directory that does not load (1, or
    /// `status` when given).
    package static func fail(_ error: PolicyLoadError, status: Int32 = 1) -> ExitCode {
        for diagnostic in error.diagnostics { print(diagnostic) }
        return ExitCode(status)
    }
}
