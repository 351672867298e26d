/// Door requests of the recommendations routes: a pupil's recommendations token (`rec_…`), the
/// only way the gateway learns the token the recommendations module knows the pupil by.
///
/// The vault decides (for a navigator: the action on the pupil's `recommendation`, then the
/// translation; for a pupil: their own record), checks the `recommendation` consent and audits
/// (`policy.decided` on a refusal, `token.resolved`) in the same transaction. A pupil the caller
/// may not reach answers `pupil-not-found`, like an unknown or erased token.
public enum RecommendationsDoorRequest: Codable, Sendable, Hashable {
    /// The recommendations token of the pupil with vault token `pupil`, for the caller (a
    /// navigator) to `create` (generate), `read` (review) or `update` (edit, publish) their
    /// recommendations.
    case pupilToken(pupil: String, action: String)
    /// The caller's own recommendations token: the pupil of the caller's pupil session
    /// (``DoorCaller/pupil``); nothing in the request names the pupil.
    case ownToken
}

/// The vault's answer to a ``RecommendationsDoorRequest``.
public enum RecommendationsDoorResponse: Codable, Sendable, Hashable {
    /// The pupil's recommendations token, `rec_…`.
    case token(String)
}
