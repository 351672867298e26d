/// The kinds of data subject the vault holds, named as the policy schema's resource types.
public enum SubjectKind: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// A pupil (usually a minor).
    case pupil
    /// A pupil's parent or legal guardian.
    case guardian
    /// A staff member: school staff, navigator teacher, mentor, coordinator.
    case staff

    /// The fields a subject of this kind has, in the schema's order.
    public var fields: [FieldName] {
        switch self {
        case .pupil:
            [.surname, .firstName, .patronymic, .birthDate, .sex, .region, .municipality, .school, .grade,
             .schoolClass, .disabilityStatus, .snils, .email, .phone]
        case .guardian:
            [.name, .relation, .identityDocument, .phone, .email]
        case .staff:
            [.name, .position, .organisation, .email, .phone]
        }
    }

    public var description: String { rawValue }
}
