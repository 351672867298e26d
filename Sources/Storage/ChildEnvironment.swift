/// The environment a child process of bilet starts with: only what a program needs to run (the
/// search path, home, temporary directory, user, time zone and locale), never the rest of the
/// caller's environment, which may hold unrelated credentials or bilet's own secrets
/// (`BILET_DATABASE_URL`).
package enum ChildEnvironment {
    /// The variables kept, besides the locale's `LC_…`.
    static let kept: Set<String> = ["PATH", "HOME", "TMPDIR", "LANG", "LANGUAGE", "TZ", "USER", "LOGNAME"]

    /// What of `environment` a child gets, with the names whose prefix is in `alsoPrefixed` too.
    package static func filtered(_ environment: [String: String], alsoPrefixed prefixes: [String] = []) -> [String: String] {
        environment.filter { name, _ in
            kept.contains(name) || name.hasPrefix("LC_") || prefixes.contains { name.hasPrefix($0) }
        }
    }
}
