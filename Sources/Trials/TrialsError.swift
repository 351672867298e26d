/// Every failure of the trials module, with a stable ``Code``.
///
/// ``reason`` is fixed text written by bilet: never a title, an address, feedback text or a raw
/// server message, and never a pupil's token.
public struct TrialsError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong. Raw values never change.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// A field is missing, too long or malformed (its name is in the reason).
        case invalidArgument = "trials.invalid_argument"
        /// A query parameter (a page's offset or limit) is malformed or out of range.
        case invalidQuery = "trials.invalid_query"
        /// No event has this id (or it is not the caller's to see).
        case eventNotFound = "trials.event_not_found"
        /// No place of this venue has this id.
        case placeNotFound = "trials.place_not_found"
        /// The account is not a registered mentor of the event's venue.
        case mentorNotFound = "trials.mentor_not_found"
        /// The event's status does not allow this step (editing a submitted event, approving a
        /// draft, enrolling in an event not approved).
        case wrongStatus = "trials.wrong_status"
        /// A venue may not approve or return an event: the region's coordinator decides.
        case selfApproval = "trials.self_approval"
        /// The pupil is not enrolled in the event.
        case notEnrolled = "trials.not_enrolled"
        /// The pupil is enrolled but waiting, not seated: attendance is marked for seated pupils.
        case notSeated = "trials.not_seated"
        /// The account does not run the event.
        case notRunBy = "trials.not_run_by"
        /// The caller's record of the change (the audit record) could not be written: nothing
        /// changed.
        case recordFailed = "trials.record_failed"
        /// The database failed or cannot be reached.
        case storage = "trials.storage"
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
