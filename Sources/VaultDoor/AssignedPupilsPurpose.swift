/// What a navigator names their assigned pupils for (``NavigatorDoorRequest/assignedNames(purpose:after:limit:)``):
/// the purpose the vault reads the names under, checks the pupil's consent for, and audits.
public enum AssignedPupilsPurpose: String, Codable, Sendable, Hashable, CaseIterable {
    /// Choosing whom to enrol in an event (the enrolment pages).
    case enrolment
    /// Choosing whom to assign a test (the test assignment page).
    case assessment
}
