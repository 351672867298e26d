/// One notification delivered to a connection that LISTENs on its channel (PostgreSQL
/// `NOTIFY channel, 'payload'` or `pg_notify(channel, payload)`).
///
/// Notifications are delivered only after the notifying transaction commits, in commit order, and
/// only while the listening connection is open: a listener that reconnects must catch up by
/// reading the state it was told about, not rely on having seen every notification.
public struct PostgresNotification: Sendable, Hashable {
    /// The channel name.
    public let channel: String
    /// The payload (at most 8000 bytes; empty when none was given).
    public let payload: String
    /// The server process ID of the notifying session.
    public let processID: Int32

    /// Makes a notification.
    public init(channel: String, payload: String, processID: Int32) {
        self.channel = channel
        self.payload = payload
        self.processID = processID
    }
}
