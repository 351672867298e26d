import Accounts
import Foundation
import LocalSocket
import Logging
import Settings
import Vault
import VaultDoor


/// The vault process's door: answers ``VaultDoorRequest``s from gateway processes on
/// `vault.door_socket`, to processes of the vault's own user and of `vault.door_users` only.
enum VaultDoorService {
    /// The part ``StartupProgress`` waits for.
    static let part = "vault-door"
    /// The longest typed login the door hashes.
    static let maximumLoginBytes = 512

    static func make(
        _ settings: VaultSettings, vault: Vault, progress: StartupProgress, logger: Logger
    ) throws -> LocalSocketServer<VaultDoorRequest, VaultDoorResponse> {
        let allowed = try SystemUsers.ids(of: settings.doorUsers, setting: "vault.door_users")
        return LocalSocketServer(
            name: "vault-door", socketPath: settings.doorSocket, allowedUsers: allowed, maximumRequestBytes: VaultDoorClient.maximumRequestBytes,
            logger: logger, invalidRequest: { .refused(code: "invalid-request") },
            onListening: { progress.arrived(Self.part) }
        ) { request, _ in
            switch request {
            case .attemptedAccountHash(let login):
                guard let key = vault.auditHashKey() else { return .refused(code: "sealed") }
                // A typed login longer than any account's is still a failed login (401), not an
                // unavailable audit log (503): its first bytes are hashed, so the work stays bounded.
                let typed = String(decoding: login.utf8.prefix(Self.maximumLoginBytes), as: UTF8.self)
                guard let hash = try? key.hash(typed, field: StaffLogin.attemptedAccountField) else {
                    return .refused(code: "internal")
                }
                return .keyedHash(hash.description)
            case .status:
                return .status(unsealed: vault.isUnsealed)
            case .pupils(let request, let caller):
                return await PupilDoorHandler.answer(request, caller: caller, vault: vault)
            case .records(let request, let caller):
                return await RecordsDoorHandler.answer(request, caller: caller, vault: vault)
            case .assessment(let request, let caller):
                return await AssessmentDoorHandler.answer(request, caller: caller, vault: vault)
            case .navigators(let request, let caller):
                return await NavigatorDoorHandler.answer(request, caller: caller, vault: vault)
            case .modules(let request, let service):
                return await ModuleDoorHandler.answer(request, service: service, vault: vault)
            case .trials(let request, let caller):
                return await TrialsDoorHandler.answer(request, caller: caller, vault: vault)
            case .recommendations(let request, let caller):
                return await RecommendationsDoorHandler.answer(request, caller: caller, vault: vault)
            case .kpi(let request, let caller):
                return await KPIDoorHandler.answer(request, caller: caller, vault: vault)
            }
        }
    }
}
