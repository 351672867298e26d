/// Every failure of the incident register, with a stable ``Code``.
///
/// ``reason`` is fixed text written by bilet (at most a field's name): never the description, a
/// token or a raw server message.
public struct IncidentsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Raw values never change.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A field is missing, too long or malformed (its name is in the reason).
        case invalidArgument = "incidents.invalid_argument"
        /// The discovery time is later than the database's clock.
        case discoveredInFuture = "incidents.discovered_in_future"
        /// No incident has this id.
        case notFound = "incidents.not_found"
        /// The results of the investigation are marked sent before the first notice.
        case noticeOrder = "incidents.notice_order"
        /// The policy does not permit the request (the refusal is audited).
        case forbidden = "incidents.forbidden"
        /// The audit record could not be written, so nothing changed.
        case auditUnavailable = "incidents.audit_unavailable"
        /// The database failed or cannot be reached.
        case storage = "incidents.storage"
    }

    /// The stable code.
    public let code: Code
    /// A fixed explanation (no personal data, no secrets).
    public let reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code.rawValue): \(reason)" }
}
