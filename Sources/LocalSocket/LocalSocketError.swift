/// Why a local socket call or server failed. Carries no request content.
public struct LocalSocketError: Error, Sendable, CustomStringConvertible {
    /// Stable codes.
    public enum Code: String, Sendable {
        /// Nothing answers on the socket.
        case unreachable
        /// The answer was missing, too long or not the expected message.
        case invalidAnswer
        /// The socket's directory or file cannot be made private, or another process already answers.
        case unusable
        /// The request is longer than the server reads (``LocalSocketPool/maximumRequestBytes``):
        /// refused before it is sent, so the server never sees it and the caller can say why.
        case requestTooLarge
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "local-socket-\(code.rawValue): \(reason)" }
}
