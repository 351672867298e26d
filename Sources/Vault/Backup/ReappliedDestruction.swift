public import Tokens

/// What re-applying one destruction-register entry to a restored database did.
public enum ReappliedDestruction: Sendable, Hashable {
    /// The subject was crypto-shredded again (the subject first, then any guardians with it).
    case erased([SubjectToken])
    /// The named fields were destroyed again.
    case fieldsDestroyed([String])
    /// The restored snapshot already has the data destroyed (erased before the backup, or with a
    /// pupil re-erased earlier in the same restore).
    case alreadyDestroyed
    /// The subject is not in the restored snapshot (registered after the backup): nothing to destroy.
    case notInSnapshot
}
