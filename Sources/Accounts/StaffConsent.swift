/// The electronic consent a staff member gives to the processing of their own personal data, at
/// first sign-in, before any other staff route answers them.
public enum StaffConsent {
    /// The version of the consent text in force: a session counts the consent as recorded only
    /// for this version, so a new text makes everyone consent again.
    public static let currentVersion = "staff-pd-2026-1"
}
