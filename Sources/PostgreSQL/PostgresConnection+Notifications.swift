extension PostgresConnection {
    /// Starts listening on `channel` (`LISTEN "channel"`). Use a dedicated connection, not one of
    /// a pool: a pooled connection drops notifications while it is idle.
    ///
    /// - Throws: ``PostgresError/Code/invalidIdentifier`` for a channel name that cannot be
    ///   quoted, and what ``execute(_:)`` throws.
    public func listen(_ channel: String) async throws(PostgresError) {
        let identifier = try SQLIdentifier(channel)
        try await execute("LISTEN \(identifier: identifier)")
    }

    /// Stops listening on `channel`.
    public func unlisten(_ channel: String) async throws(PostgresError) {
        let identifier = try SQLIdentifier(channel)
        try await execute("UNLISTEN \(identifier: identifier)")
    }

    /// The notifications that arrived, waiting at most `timeout` (rounded to milliseconds, at most
    /// 10 seconds) for one when none is pending; an empty array when the time passed without any.
    /// The wait happens on the thread pool (`poll` on the connection's socket), never on the
    /// caller's thread; call it again in a loop, checking for cancellation in between.
    ///
    /// - Throws: ``PostgresError/Code/connectionLost`` when the server closed the connection
    ///   (reconnect, LISTEN again and catch up), ``PostgresError/Code/cancelled``.
    public func notifications(waitingAtMost timeout: Duration) async throws(PostgresError) -> [PostgresNotification] {
        let components = timeout.components
        let milliseconds = max(0, min(10_000, components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000))
        return try await withSession { session throws(PostgresError) in
            try session.waitForNotifications(timeoutMilliseconds: Int32(milliseconds))
        }
    }

    /// Sends a notification (`SELECT pg_notify(channel, payload)`). Inside a transaction it is
    /// delivered when the transaction commits, and not at all if it rolls back.
    public func notify(_ channel: String, payload: String) async throws(PostgresError) {
        try await execute("SELECT pg_notify(\(channel), \(payload))")
    }
}
