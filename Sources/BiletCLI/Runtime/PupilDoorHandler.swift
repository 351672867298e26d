import Vault
import VaultDoor

/// Answers the door's ``PupilDoorRequest``s in the vault process.
enum PupilDoorHandler {
    static func answer(_ request: PupilDoorRequest, caller: DoorCaller, vault: Vault) async -> VaultDoorResponse {
        .refused(code: "not-implemented")
    }
}
