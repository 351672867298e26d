public import Foundation

/// One of the two notices to Roskomnadzor an incident owes (152-FZ art. 21 part 3.1): the first
/// notice within 24 hours of discovery and the results of the investigation within 72 hours.
public struct IncidentDeadline: Sendable, Hashable {
    /// Where a notice stands, by the database's clock.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// Not sent, and the deadline has not passed.
        case due
        /// Not sent, and the deadline has passed.
        case overdue
        /// Sent (``IncidentDeadline/sentAt`` says when).
        case sent
    }

    /// Hours after discovery the first notice is due.
    public static let firstNoticeHours = 24
    /// Hours after discovery the results of the investigation are due.
    public static let resultsHours = 72

    /// When the notice is due.
    public let dueAt: Date
    /// When it was marked sent.
    public let sentAt: Date?
    /// Its state at the database's time of the read.
    public let state: State

    /// The deadline `hours` after `discoveredAt`, judged at `now` (the database's clock).
    public init(discoveredAt: Date, hours: Int, sentAt: Date?, now: Date) {
        dueAt = discoveredAt.addingTimeInterval(TimeInterval(hours * 3600))
        self.sentAt = sentAt
        state = sentAt != nil ? .sent : (now > dueAt ? .overdue : .due)
    }
}
