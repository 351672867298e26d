public import Foundation
public import Policy
public import Tokens

/// A new data subject for ``Vault/register(_:by:purpose:)``: its kind, the registry attributes
/// the policy decides on (school or organisation, region) and its field values.
///
/// Required values: a pupil's surname, first name and birth date; a guardian's name and
/// relation; a staff member's name.
public struct SubjectRegistration: Sendable {
    public var kind: SubjectKind
    /// The school (pupils), or the school, venue or organisation (staff). Guardians take their
    /// pupil's school.
    public var organisation: EntityRef?
    /// The region code (`77`). Guardians take their pupil's region.
    public var region: String?
    /// The staff member's user account id.
    public var user: String?
    /// The pupil a guardian represents.
    public var pupil: SubjectToken?
    /// The field values; names must belong to the kind.
    public var values: [FieldName: PersonalValue]
    /// When the subject's data must be destroyed at the latest (retention end), if known.
    public var retentionUntil: Date?
    /// Register even though a pupil with the same normalised surname, first name and birth date
    /// exists (genuine namesakes). A SNILS match is always refused.
    public var allowNamesake: Bool

    /// A pupil of `school` in `region`.
    public static func pupil(
        school: String, region: String, values: [FieldName: PersonalValue], retentionUntil: Date? = nil,
        allowNamesake: Bool = false
    ) -> SubjectRegistration {
        SubjectRegistration(
            kind: .pupil, organisation: EntityRef("school", school), region: region, user: nil, pupil: nil,
            values: values, retentionUntil: retentionUntil, allowNamesake: allowNamesake)
    }

    /// A parent or legal guardian of `pupil`.
    public static func guardian(of pupil: SubjectToken, values: [FieldName: PersonalValue], retentionUntil: Date? = nil) -> SubjectRegistration {
        SubjectRegistration(
            kind: .guardian, organisation: nil, region: nil, user: nil, pupil: pupil, values: values,
            retentionUntil: retentionUntil, allowNamesake: true)
    }

    /// A staff member of `organisation` (an entity of type `school`, `venue` or `organisation`).
    public static func staff(
        organisation: EntityRef, region: String, user: String, values: [FieldName: PersonalValue], retentionUntil: Date? = nil
    ) -> SubjectRegistration {
        SubjectRegistration(
            kind: .staff, organisation: organisation, region: region, user: user, pupil: nil, values: values,
            retentionUntil: retentionUntil, allowNamesake: true)
    }

    /// The fields every subject of the kind must have.
    public static func requiredFields(for kind: SubjectKind) -> [FieldName] {
        switch kind {
        case .pupil: [.surname, .firstName, .birthDate]
        case .guardian: [.name, .relation]
        case .staff: [.name]
        }
    }
}

/// What ``Vault/register(_:by:purpose:)`` returns.
public struct RegisteredSubject: Sendable, Hashable {
    /// The new subject's vault token.
    public var token: SubjectToken
    /// Its pairwise tokens, one per module (pupils only).
    public var moduleTokens: [Module: ModuleToken]
}
