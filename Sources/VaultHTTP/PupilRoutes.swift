import Gateway
import Hummingbird
import VaultDoor

/// Pupils: registration, card reads and corrections, search, duplicates (`/v1/pupils…`,
/// `/v1/duplicates…`).
enum PupilRoutes {
    static func add(to router: Router<BiletRequestContext>, door: VaultDoorClient) {}
}
