public import Gateway
public import HTTPTypes
import Synchronization

/// A ``RequestObserver`` that keeps what it is told, for tests to assert the exact refusals and
/// unanswered ends a listener reported.
public final class RecordingRequestObserver: RequestObserver, Sendable {
    /// A refusal before routing: the method (`nil` when the parser read none) and the status.
    public struct Refusal: Equatable, Sendable, CustomStringConvertible {
        public let method: HTTPRequest.Method?
        public let status: Int

        public init(method: HTTPRequest.Method?, status: Int) {
            self.method = method
            self.status = status
        }

        public var description: String { "\(method?.rawValue ?? "-") \(status)" }
    }

    private let state = Mutex<(answered: [Int], refusals: [Refusal], unanswered: [UnansweredRequest])>(([], [], []))

    public init() {}

    /// The statuses of the answered requests, in order.
    public var answered: [Int] { state.withLock { $0.answered } }
    /// The refusals before routing, in order.
    public var refusals: [Refusal] { state.withLock { $0.refusals } }
    /// The requests ended without an answer, in order.
    public var unanswered: [UnansweredRequest] { state.withLock { $0.unanswered } }

    public func answered(route: RouteTable.Match?, method: HTTPRequest.Method, status: HTTPResponse.Status) {
        state.withLock { $0.answered.append(status.code) }
    }

    public func refusedBeforeRouting(method: HTTPRequest.Method?, status: HTTPResponse.Status) {
        state.withLock { $0.refusals.append(Refusal(method: method, status: status.code)) }
    }

    public func endedWithoutAnswer(_ reason: UnansweredRequest) {
        state.withLock { $0.unanswered.append(reason) }
    }
}
