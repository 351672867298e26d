import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Who is at the other end of a Unix domain socket, as the kernel says (`SO_PEERCRED`): not
/// something the peer can claim.
public struct PeerCredentials: Sendable, Hashable {
    /// The peer's process id when it connected.
    public let processID: Int32
    /// The peer's effective user id.
    public let userID: UInt32
    /// The peer's effective group id.
    public let groupID: UInt32

    public init(processID: Int32, userID: UInt32, groupID: UInt32) {
        self.processID = processID
        self.userID = userID
        self.groupID = groupID
    }

    /// The credentials of `channel`'s peer; `nil` when the kernel does not give them (fail closed).
    static func of(_ channel: any Channel) async -> PeerCredentials? {
        #if os(Linux)
        guard let provider = channel as? any SocketOptionProvider else { return nil }
        do {
            let credentials: PeerCredentialsValue = try await provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(Self.peerCredentialsOption)
            ).get()
            return PeerCredentials(processID: credentials.pid, userID: credentials.uid, groupID: credentials.gid)
        } catch {
            return nil
        }
        #else
        return nil
        #endif
    }
}

#if os(Linux)
extension PeerCredentials {
    /// `SO_PEERCRED` (Linux, every architecture bilet runs on).
    static let peerCredentialsOption: Int32 = 17
}

/// Linux's `struct ucred` (pid, uid, gid: three 32-bit fields), which Glibc's module hides behind
/// `_GNU_SOURCE`; the same layout, as a value NIO can fill.
private struct PeerCredentialsValue: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
#endif
