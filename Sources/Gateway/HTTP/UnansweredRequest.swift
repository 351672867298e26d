/// Why a listener ended a request without answering it: the connection (HTTP/1.1) or the stream
/// (HTTP/2) is closed, since no answer could be trusted to reach the client in order. Told to a
/// ``RequestObserver`` so that these ends are counted as the answered requests are.
public enum UnansweredRequest: String, Sendable, CaseIterable {
    /// The body grew past the listener's limit without announcing its length (chunked, or an
    /// HTTP/2 stream without `Content-Length`).
    case bodyTooLarge = "body-too-large"
    /// The body was not complete ``ListenerLimits/requestTimeout`` after the head.
    case bodyTimedOut = "body-timed-out"
    /// An HTTP/2 stream whose client did not take the answer (its flow-control window stayed shut)
    /// for the idle timeout.
    case answerStalled = "answer-stalled"

    /// The value of the metric's `reason` label.
    public var label: String { self.rawValue }
}
