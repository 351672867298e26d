public import Policy
public import Tokens

/// What the one door released for one subject.
public struct SubjectData: Sendable, Hashable {
    /// The reference the caller used (a module caller never learns the vault's own token).
    public var reference: SubjectReference
    /// One entry per requested field: plain, masked, redacted (not covered by the consent) or
    /// absent (nothing stored).
    public var fields: [FieldName: FieldValue]
    /// The consent the read relied on.
    public var consent: ConsentToken
    /// The policy version that decided.
    public var policyVersion: PolicyVersion
}

/// The outcome for one subject of a batch read.
public enum ReadOutcome: Sendable, Hashable {
    case released(SubjectData)
    /// Refused, with the reason (policy, consent, erased, unknown); the refusal was audited.
    case refused(VaultError)

    /// The released data, if any.
    public var data: SubjectData? {
        if case .released(let data) = self { return data }
        return nil
    }

    /// The refusal, if any.
    public var refusal: VaultError? {
        if case .refused(let error) = self { return error }
        return nil
    }
}
