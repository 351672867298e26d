/// How to reach a PostgreSQL server: a libpq connection string, passed to libpq untouched,
/// plus a few explicit overrides.
///
/// The connection string may be in keyword/value form (`host=/run/pg dbname=bilet`) or URI form,
/// including libpq's multi-host form for a primary with replicas
/// (`postgresql://h1,h2/bilet?target_session_attrs=read-write`). bilet never parses or rewrites it:
/// it is handed to `PQconnectdbParams` as the first `dbname` entry with `expand_dbname = 1`, and the
/// overrides follow it, so an override wins over the same keyword inside the string and nothing else
/// in the string changes.
///
/// `description` never prints the connection string (it may carry a password).
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// The libpq connection string (keyword/value or URI), exactly as given.
    public var connectionString: String
    /// Overrides the role to connect as. Each component connects with its own role.
    public var user: String?
    /// Overrides the password (each component's own SCRAM secret); never printed.
    public var password: String?
    /// Overrides the database name (a plain name, never expanded as a connection string).
    public var database: String?
    /// Overrides `application_name`, visible in `pg_stat_activity`.
    public var applicationName: String?
    /// Overrides `connect_timeout`, in whole seconds (libpq applies it per host).
    public var connectTimeoutSeconds: Int?
    /// How many prepared statements each connection keeps (0 turns transparent statement caching off,
    /// for example behind a transaction-pooling proxy).
    public var statementCacheCapacity: Int

    /// Creates a configuration.
    /// - Parameters:
    ///   - connectionString: passed to libpq untouched.
    ///   - user: role override.
    ///   - database: database name override.
    ///   - applicationName: `application_name` override.
    ///   - connectTimeoutSeconds: `connect_timeout` override, in seconds.
    ///   - statementCacheCapacity: prepared statements kept per connection; 0 disables caching.
    public init(
        connectionString: String,
        user: String? = nil,
        database: String? = nil,
        applicationName: String? = nil,
        connectTimeoutSeconds: Int? = nil,
        statementCacheCapacity: Int = 256
    ) {
        self.connectionString = connectionString
        self.user = user
        self.database = database
        self.applicationName = applicationName
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.statementCacheCapacity = statementCacheCapacity
    }

    /// A copy that connects as `user`.
    public func connecting(as user: String) -> PostgresConfiguration {
        var copy = self
        copy.user = user
        return copy
    }

    /// A copy that connects as `user` with `password`.
    public func connecting(as user: String, password: String) -> PostgresConfiguration {
        var copy = self
        copy.user = user
        copy.password = password
        return copy
    }

    /// Whether the connection string itself carries a password (keyword `password`, or a password in
    /// a URI's user information). Serving processes refuse such a string: owner credentials belong to
    /// `bilet db migrate` only. A string libpq cannot parse counts as carrying one (fail closed).
    public var connectionStringCarriesPassword: Bool {
        LibPQConnection.connectionStringCarriesPassword(connectionString)
    }

    /// A copy that connects to `database` (a plain database name).
    public func connecting(toDatabase database: String) -> PostgresConfiguration {
        var copy = self
        copy.database = database
        return copy
    }

    /// Names the overrides only; never the connection string, which may hold a password.
    public var description: String {
        var parts = ["PostgresConfiguration(connection string redacted"]
        if let user { parts.append("user: \(user)") }
        if password != nil { parts.append("password: redacted") }
        if let database { parts.append("database: \(database)") }
        if let applicationName { parts.append("application_name: \(applicationName)") }
        return parts.joined(separator: ", ") + ")"
    }

    /// The environment that makes one of PostgreSQL's programs (`pg_dump`, `pg_restore`) connect as
    /// this configuration does, overrides included (`PGHOST`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`,
    /// `PGAPPNAME`, …): give it to the child and no `--dbname`, so the connection string and its
    /// password never appear among the child's arguments.
    ///
    /// - Throws: ``PostgresError/Code/invalidParameter`` when the string cannot be parsed, holds a NUL
    ///   byte, or sets an option libpq reads from no environment variable.
    public func libpqEnvironment() throws(PostgresError) -> [String: String] {
        try LibPQConnection.environment(for: libpqParameters())
    }

    /// The keyword/value pairs handed to `PQconnectdbParams`, in order: the connection string as the
    /// expanded `dbname`, then the overrides (later entries win), then the client encoding bilet needs.
    func libpqParameters() throws(PostgresError) -> [(keyword: String, value: String)] {
        var pairs: [(keyword: String, value: String)] = [("dbname", connectionString)]
        if let database { pairs.append(("dbname", database)) }
        if let user { pairs.append(("user", user)) }
        if let password { pairs.append(("password", password)) }
        if let applicationName { pairs.append(("application_name", applicationName)) }
        if let connectTimeoutSeconds { pairs.append(("connect_timeout", String(connectTimeoutSeconds))) }
        // Every text value bilet sends and decodes is UTF-8.
        pairs.append(("client_encoding", "UTF8"))
        for pair in pairs where pair.value.utf8.contains(0) {
            throw PostgresError(
                code: .invalidParameter,
                reason: "connection parameter \(pair.keyword) contains a NUL byte")
        }
        return pairs
    }
}
