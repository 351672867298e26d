#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A state change told to the service manager that started this process: systemd's `sd_notify`
/// protocol, one Unix datagram of newline-separated `KEY=value` assignments (`READY=1`,
/// `STOPPING=1`, `STATUS=…`) sent to the socket that `NOTIFY_SOCKET` names. A unit of
/// `Type=notify` counts as started only once `READY=1` arrives (docs/OPERATIONS.md).
///
/// The socket is a path (`/run/systemd/notify`) or, written with a leading `@`, a name in the
/// abstract namespace. Nothing is sent, and nothing fails, when no service manager asked for it.
public struct ServiceManagerNotification: Sendable, Equatable {
    /// The assignments, one per line of the datagram.
    public let assignments: [String]

    /// A notification of `assignments`, each `KEY=value` without a newline.
    public init(_ assignments: [String]) {
        self.assignments = assignments
    }

    /// Startup is complete: the service manager starts the units ordered after this one.
    public static func ready(status: String) -> ServiceManagerNotification { .init(["READY=1", "STATUS=" + status]) }

    /// A graceful stop has begun.
    public static func stopping(status: String) -> ServiceManagerNotification { .init(["STOPPING=1", "STATUS=" + status]) }

    /// The environment variable a service manager sets to the socket it listens on.
    public static let socketVariable = "NOTIFY_SOCKET"

    /// The datagram's bytes. A newline inside an assignment would start another assignment, so
    /// each is cut at its first newline.
    public var datagram: [UInt8] {
        Array(assignments.map { String($0.prefix { $0 != "\n" }) }.joined(separator: "\n").utf8)
    }

    /// Sends the notification to `notifySocket` (the value of `NOTIFY_SOCKET`); does nothing when it is `nil`.
    /// - Throws: ``LocalSocketError/Code/unusable`` when the name is neither an absolute path nor an
    ///   `@` abstract name, or is too long; ``LocalSocketError/Code/unreachable`` when the datagram
    ///   cannot be sent (nothing listens there).
    public func send(to notifySocket: String?) throws(LocalSocketError) {
        guard let notifySocket else { return }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var name = Array(notifySocket.utf8)
        let abstract = name.first == UInt8(ascii: "@")
        guard abstract || name.first == UInt8(ascii: "/") else {
            throw LocalSocketError(.unusable, "\(Self.socketVariable) is neither a path nor an abstract name")
        }
        if abstract { name[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        // A path needs room for its terminating zero; an abstract name is counted by the length alone.
        guard name.count < capacity || (abstract && name.count == capacity) else {
            throw LocalSocketError(.unusable, "\(Self.socketVariable) is longer than a socket address holds")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { path in path.copyBytes(from: name) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + name.count + (abstract ? 0 : 1))

        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw LocalSocketError(.unreachable, "cannot open a datagram socket") }
        defer { close(descriptor) }
        let datagram = self.datagram
        let sent = datagram.withUnsafeBytes { bytes in
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
        guard sent == datagram.count else {
            throw LocalSocketError(.unreachable, "the service manager's socket took no notification (errno \(errno))")
        }
    }
}
