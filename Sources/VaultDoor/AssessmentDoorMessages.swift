/// Door requests of the assessment routes: a pupil's assessment token (`asm_…`), the only way the
/// gateway learns the token the assessment module knows the pupil by.
///
/// The vault translates under policy and consent for purpose `assessment` and audits the
/// translation (`token.resolved`, permit or deny) in the same transaction
/// (`Vault.moduleToken(for:in:purpose:by:)`). A refusal that must not tell another school's pupil
/// (or a pupil not assigned to the navigator) from an unknown token answers `pupil-not-found`.
public enum AssessmentDoorRequest: Codable, Sendable, Hashable {
    /// The assessment token of the pupil with vault token `token`, for the caller (a navigator
    /// assigning a test: the policy permits only pupils assigned to them).
    case pupilToken(token: String)
    /// The caller's own assessment token: the pupil of the caller's pupil session
    /// (``DoorCaller/pupil``); nothing in the request names the pupil.
    case ownToken
}

/// The vault's answer to an ``AssessmentDoorRequest``.
public enum AssessmentDoorResponse: Codable, Sendable, Hashable {
    /// The pupil's assessment token, `asm_…`.
    case token(String)
}
