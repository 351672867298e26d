/// The checkpoints an ``AuditSequencer`` signed into the database whose files it has not written to
/// the checkpoint directory yet (the directory's disk full, its mount gone), and when it may try
/// again.
///
/// Nothing is lost while files wait: every checkpoint is in `audit.checkpoints` before its file is
/// written. Up to ``limit`` wait for their history files; beyond it the oldest are given up (they
/// stay in the database), never the newest, which becomes `latest`.
struct UnwrittenCheckpointFiles: Sendable {
    /// The most checkpoints kept waiting (a few hours of one a second).
    static let limit = 10_000
    /// The shortest time between two attempts after a failure.
    static let retryInterval: Duration = .seconds(1)

    private var waiting: [SignedCheckpoint] = []
    private var lastFailure: ContinuousClock.Instant?

    /// The newest waiting checkpoint's sequence, or nil when every file is written.
    var newest: UInt64? { waiting.last?.checkpoint.sequence }

    /// Adds a checkpoint just signed.
    mutating func append(_ signed: SignedCheckpoint) {
        waiting.append(signed)
        if waiting.count > Self.limit { waiting.removeFirst(waiting.count - Self.limit) }
    }

    /// The next file to write: the oldest waiting when history is kept, else the newest only.
    func oldest(keepingHistory: Bool) -> SignedCheckpoint? {
        keepingHistory ? waiting.first : waiting.last
    }

    /// `signed`'s file is written: it and every older one are done (`latest` is at least as new).
    /// The waiting list is in signing order, so only its front is dropped: catching up on 10,000
    /// files one by one costs each write the files it finishes, not a pass over the whole list.
    mutating func written(_ signed: SignedCheckpoint) {
        let sequence = signed.checkpoint.sequence ?? 0
        waiting.removeFirst(waiting.prefix { ($0.checkpoint.sequence ?? 0) <= sequence }.count)
    }

    /// Whether a write may be tried at `now`: files wait and no failure happened in the last second.
    func attemptAllowed(at now: ContinuousClock.Instant) -> Bool {
        guard !waiting.isEmpty else { return false }
        return lastFailure.map { $0.duration(to: now) >= Self.retryInterval } ?? true
    }

    /// A write failed at `now`.
    mutating func failed(at now: ContinuousClock.Instant) {
        lastFailure = now
    }

    /// After every file is written: whether a failure came before (then it is forgotten).
    mutating func recovered() -> Bool {
        guard waiting.isEmpty, lastFailure != nil else { return false }
        lastFailure = nil
        return true
    }
}
