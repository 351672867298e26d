public import Foundation

/// A case of the duplicate register as the region's coordinator sees it: the schools concerned,
/// what matched and when; never a name, a token of a pupil or a value.
public struct DuplicateCase: Sendable, Hashable {
    /// The case reference.
    public var reference: DuplicateCaseToken
    /// The registering school and the school of the pupil it matched (registry codes, `77-1234`).
    public var schools: [String]
    /// `snils` or `name_birth_date`.
    public var matchedOn: String
    /// When the registration that opened the case was made.
    public var openedAt: Date
}

/// How the coordinator resolves a case.
public enum DuplicateResolution: String, Sendable, Hashable, CaseIterable, Codable {
    /// The two records are the same child.
    case same
    /// Different children (namesakes, or a mistyped SNILS).
    case different
}
