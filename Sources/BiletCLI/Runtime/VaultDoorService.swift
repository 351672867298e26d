import Foundation
import LocalSocket
import Logging
import Settings
import Vault
import VaultDoor

#if canImport(Glibc)
import Glibc
#endif

/// The vault process's door: answers ``VaultDoorRequest``s from gateway processes on
/// `vault.door_socket`, to processes of the vault's own user and of `vault.door_users` only.
enum VaultDoorService {
    /// The part ``StartupProgress`` waits for.
    static let part = "vault-door"

    static func make(
        _ settings: VaultSettings, vault: Vault, progress: StartupProgress, logger: Logger
    ) throws -> LocalSocketServer<VaultDoorRequest, VaultDoorResponse> {
        var allowed: Set<UInt32> = []
        for user in settings.doorUsers {
            guard let entry = getpwnam(user) else { throw VaultDoorServiceError.unknownUser(user) }
            allowed.insert(entry.pointee.pw_uid)
        }
        return LocalSocketServer(
            name: "vault-door", socketPath: settings.doorSocket, allowedUsers: allowed, maximumRequestBytes: 64 * 1024,
            logger: logger, invalidRequest: { .refused(code: "invalid-request") },
            onListening: { progress.arrived(Self.part) }
        ) { request, _ in
            switch request {
            case .auditKeyedHash(let value, let field):
                guard let key = vault.auditHashKey() else { return .refused(code: "sealed") }
                guard let hash = try? key.hash(value, field: field) else { return .refused(code: "internal") }
                return .keyedHash(hash.description)
            }
        }
    }
}

/// Why the door cannot be set up.
enum VaultDoorServiceError: Error, CustomStringConvertible {
    case unknownUser(String)

    var description: String {
        switch self {
        case .unknownUser(let name): "vault.door_users: no system user named \(name)"
        }
    }
}
