public import Foundation

/// An incident as the register holds it, with its two deadlines judged at the database's time of
/// the read.
public struct IncidentRecord: Sendable, Hashable {
    /// `inc_` and 22 base64url characters.
    public let id: String
    public let kind: IncidentKind
    public let status: IncidentStatus
    /// Confidential: answered only to those the policy lets read the incident, never logged or audited.
    public let description: String
    public let discoveredAt: Date
    public let scope: IncidentScope
    /// The first notice to Roskomnadzor (24 hours).
    public let firstNotice: IncidentDeadline
    /// The results of the investigation (72 hours).
    public let results: IncidentDeadline
    /// The audit actor who recorded it.
    public let recordedBy: String
    public let createdAt: Date
    public let updatedAt: Date
    /// The database's clock at the read.
    public let readAt: Date

    public init(
        id: String, kind: IncidentKind, status: IncidentStatus, description: String, discoveredAt: Date, scope: IncidentScope,
        firstNoticeSentAt: Date?, resultsSentAt: Date?, recordedBy: String, createdAt: Date, updatedAt: Date, readAt: Date
    ) {
        self.id = id
        self.kind = kind
        self.status = status
        self.description = description
        self.discoveredAt = discoveredAt
        self.scope = scope
        firstNotice = IncidentDeadline(
            discoveredAt: discoveredAt, hours: IncidentDeadline.firstNoticeHours, sentAt: firstNoticeSentAt, now: readAt)
        results = IncidentDeadline(discoveredAt: discoveredAt, hours: IncidentDeadline.resultsHours, sentAt: resultsSentAt, now: readAt)
        self.recordedBy = recordedBy
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.readAt = readAt
    }
}
