public import Foundation
public import Tokens

/// Who made a subject-access request.
public enum AccessRequesterKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A parent or legal guardian of the pupil.
    case guardian
    /// The pupil personally.
    case pupil
}

/// Whether a subject-access request is still to be answered.
public enum AccessRequestStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Registered, not yet answered: `parent_request` reads may cite it.
    case open
    /// Answered (closed): reads may no longer cite it.
    case answered
}

/// A registered request of a pupil's guardian to see the pupil's data (152-FZ art. 14), as the
/// vault's register keeps it. Reads with purpose `parent_request` must cite an open one for the
/// subject read (``Vault/read(_:fields:purpose:request:by:)``). No personal data: the requester is
/// recorded by kind only.
public struct SubjectAccessRequest: Sendable, Hashable, Codable {
    /// The reference reads cite and audit records name.
    public let reference: AccessRequestToken
    /// The pupil the request is about.
    public let subject: SubjectToken
    /// The day the request was received (`YYYY-MM-DD`).
    public let receivedOn: String
    /// Who asked.
    public let requesterKind: AccessRequesterKind
    /// Open or answered.
    public let status: AccessRequestStatus
    /// The day by which it must be answered (`YYYY-MM-DD`): ten working days after receipt,
    /// see ``AccessRequestDeadline``.
    public let legalDeadline: String
    /// Who registered it (an identifier, never a name).
    public let createdBy: String
    /// When it was registered.
    public let createdAt: Date
    /// When it was answered, if it was.
    public let answeredAt: Date?
    /// Who marked it answered, if anyone.
    public let answeredBy: String?
    /// The pupil's school (`77-1234`) when a register listing filled it in
    /// (``Vault/schoolAccessRequests(overdueOnly:by:)``); nil elsewhere.
    public var school: String? = nil
}
