import Gateway
import Tokens
import VaultDoor
import VaultHTTP

/// The pupil's assessment token, asked of the vault's door: the only way the gateway learns it.
/// The vault decides, checks consent and audits (`token.resolved`); its refusals come back as
/// problem documents (`404 pupil-not-found` for any pupil the caller may not reach).
enum AssessmentTokens {
    /// The assessment token of the pupil with vault token `token`, for a staff caller.
    static func pupil(_ token: String, caller: DoorCaller, door: VaultDoorClient) async throws(Problem) -> AssessmentToken {
        try await ask(.pupilToken(token: token), caller: caller, door: door)
    }

    /// The caller's own assessment token (a pupil session's caller).
    static func own(caller: DoorCaller, door: VaultDoorClient) async throws(Problem) -> AssessmentToken {
        try await ask(.ownToken, caller: caller, door: door)
    }

    private static func ask(_ request: AssessmentDoorRequest, caller: DoorCaller, door: VaultDoorClient) async throws(Problem) -> AssessmentToken {
        guard case .assessment(.token(let text)) = try await DoorCalls.call(door, .assessment(request, caller: caller)),
            let token = try? AssessmentToken(parsing: text)
        else { throw Problem.internalError }
        return token
    }
}
