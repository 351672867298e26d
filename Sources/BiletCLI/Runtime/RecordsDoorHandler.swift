import Vault
import VaultDoor

/// Answers the door's ``RecordsDoorRequest``s in the vault process.
enum RecordsDoorHandler {
    static func answer(_ request: RecordsDoorRequest, caller: DoorCaller, vault: Vault) async -> VaultDoorResponse {
        .refused(code: "not-implemented")
    }
}
