/// A change to a recorded incident: any of a new status, a new description, and marking the first
/// notice or the results as sent now (by the database's clock). The discovery time, kind and scope
/// of a recorded incident never change.
public struct IncidentUpdate: Sendable, Hashable {
    public let status: IncidentStatus?
    public let description: String?
    public let firstNoticeSent: Bool
    public let resultsSent: Bool

    public init(status: IncidentStatus? = nil, description: String? = nil, firstNoticeSent: Bool = false, resultsSent: Bool = false) {
        self.status = status
        self.description = description
        self.firstNoticeSent = firstNoticeSent
        self.resultsSent = resultsSent
    }

    /// The names of what the update changes, for the audit record (never values).
    public var fields: [String] {
        (status == nil ? [] : ["status"]) + (description == nil ? [] : ["description"])
            + (firstNoticeSent ? ["first_notice_sent_at"] : []) + (resultsSent ? ["results_sent_at"] : [])
    }
}
